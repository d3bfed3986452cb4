package org.labloop.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.labloop.event.ChainCheck;
import org.labloop.event.Event;
import org.labloop.event.EventLog;
import org.labloop.event.EventLogException;
import org.labloop.lab.Lab;
import org.labloop.store.SqliteEventLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labloop verify [ID]}: re-computes every event hash and link; exit 4 when a log was altered. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = "Check that campaign logs are intact (hash chain from the first event to the last).")
final class VerifyCommand implements Callable<Integer> {
    static final int ALTERED = 4;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "A campaign id; default: all.")
    String id;

    @picocli.CommandLine.Option(
            names = "--against",
            paramLabel = "EXPORT.json",
            description = "A JSON export of the campaign made earlier: its last event (seq and hash) must still be in"
                    + " the log, so events removed from the end since are found too.")
    java.nio.file.Path against;

    @Mixin
    DataOption data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int code = 0;
        try (EventLog log = Lab.openReadOnly(data.location(), false)) {
            Anchor anchor = against == null ? null : Anchor.read(against);
            if (anchor != null && id != null && !id.equals(anchor.campaign())) {
                throw org.labloop.core.InvalidInputException.of(
                        "--against " + against,
                        "is an export of campaign " + anchor.campaign() + ", not of " + id,
                        "give an export of " + id + ", or leave out the id to check " + anchor.campaign());
            }
            List<String> ids = anchor != null && id == null
                    ? List.of(Lab.pickCampaign(log, anchor.campaign()))
                    : id == null ? log.campaignIds() : List.of(Lab.pickCampaign(log, id));
            for (String cid : ids) {
                List<Event> events;
                try {
                    events = log.readAll(cid);
                } catch (EventLogException e) {
                    out.printf("%s: NOT INTACT: %s%n", cid, e.getMessage());
                    code = ALTERED;
                    continue;
                }
                ChainCheck check = ChainCheck.of(events);
                if (check.intact() && anchor != null && anchor.campaign().equals(cid)) {
                    String problem = anchor.problem(events);
                    if (problem != null) {
                        out.printf("%s: NOT INTACT against %s: %s%n", cid, against, problem);
                        code = ALTERED;
                        continue;
                    }
                    out.printf(
                            "%s: intact, %d events, and holds event %d of %s unchanged%n",
                            cid, check.events(), anchor.seq(), against);
                } else if (check.intact()) {
                    out.printf("%s: intact, %d events%n", cid, check.events());
                } else {
                    out.printf("%s: NOT INTACT at event %d: %s%n", cid, check.firstBadSeq(), check.problem());
                    code = ALTERED;
                }
            }
            List<String> damage = log instanceof SqliteEventLog file ? file.damage() : List.of();
            if (!damage.isEmpty()) {
                out.printf(
                        "%s: DAMAGED: SQLite's page check says: %s%n",
                        ((SqliteEventLog) log).file(), String.join("; ", damage));
                code = ALTERED;
            }
        }
        if (code != 0) {
            spec.commandLine()
                    .getErr()
                    .println("labloop: store " + place(data.location())
                            + " is not intact; restore it from a backup (the lines above name what is wrong)");
        }
        return code;
    }

    private static String place(org.labloop.store.StoreLocation where) {
        return where instanceof org.labloop.store.StoreLocation.Directory d
                ? d.path().resolve(SqliteEventLog.FILE_NAME).toString()
                : where.describe();
    }

    /** The last event an export was made from: a log that no longer holds it lost events or was rewritten. */
    record Anchor(String campaign, String firstHash, long seq, String hash) {
        static Anchor read(java.nio.file.Path file) {
            com.fasterxml.jackson.databind.JsonNode root;
            if (!java.nio.file.Files.isRegularFile(file)) {
                throw org.labloop.core.InvalidInputException.of(
                        "--against " + file,
                        java.nio.file.Files.isDirectory(file) ? "is a folder" : "does not exist",
                        "give the JSON file labloop export --format json --out FILE wrote");
            }
            try {
                root = org.labloop.event.EventCodec.mapper().readTree(java.nio.file.Files.readString(file));
            } catch (java.io.IOException e) {
                throw org.labloop.core.InvalidInputException.of(
                        file.toString(),
                        "cannot read it as JSON: " + jsonProblem(e),
                        "give a file written by labloop export --format json");
            }
            com.fasterxml.jackson.databind.JsonNode id = root == null ? null : root.get("campaign_id");
            com.fasterxml.jackson.databind.JsonNode seq = root == null ? null : root.get("last_event_seq");
            com.fasterxml.jackson.databind.JsonNode hash = root == null ? null : root.get("last_event_hash");
            if (id == null
                    || !id.isTextual()
                    || seq == null
                    || !seq.canConvertToLong()
                    || hash == null
                    || !hash.isTextual()) {
                throw org.labloop.core.InvalidInputException.of(
                        file.toString(),
                        "is not a LabLoop JSON export (it needs campaign_id, last_event_seq and last_event_hash)",
                        "give a file written by labloop export --format json");
            }
            com.fasterxml.jackson.databind.JsonNode first = root.get("first_event_hash");
            // Exports written before the first hash was kept have none: the last event's hash then decides alone.
            return new Anchor(
                    id.asText(),
                    first != null && first.isTextual() ? first.asText() : null,
                    seq.asLong(),
                    hash.asText());
        }

        /** Jackson's message without its note on how it hides the source, and with the line and column. */
        private static String jsonProblem(java.io.IOException e) {
            if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
                com.fasterxml.jackson.core.JsonLocation at = j.getLocation();
                return j.getOriginalMessage()
                        + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
            }
            return e.getMessage();
        }

        /** What is wrong with {@code events} (an intact chain) against the export, or null. */
        String problem(List<Event> events) {
            if (firstHash != null && !events.isEmpty() && !events.get(0).hash().equals(firstHash)) {
                // Most likely the export of a namesake in another store (ids count up per store): the wrong file,
                // not a damaged store, so nothing here says to restore one.
                throw org.labloop.core.InvalidInputException.of(
                        "--against",
                        "the export is of another campaign that has the same id " + campaign
                                + ": its first event differs from this store's (it was made from another store; if it"
                                + " was made from this one, the log was rewritten from its start)",
                        "give an export of this store's campaign " + campaign);
            }
            if (events.size() < seq) {
                return "the log ends at event " + events.size() + " but the export was made from event " + seq
                        + ": events were removed from its end";
            }
            String stored = events.get((int) (seq - 1)).hash();
            return stored.equals(hash)
                    ? null
                    : "event " + seq + " has hash " + stored + " in the log but " + hash
                            + " in the export: the log was rewritten";
        }
    }
}

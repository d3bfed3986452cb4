package org.labloop.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.labloop.event.ChainCheck;
import org.labloop.event.Event;
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

    @Mixin
    DataOption data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int code = 0;
        try (SqliteEventLog log = Lab.openReadOnly(data.resolve(), false)) {
            List<String> ids = id == null ? log.campaignIds() : List.of(Lab.pickCampaign(log, id));
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
                if (check.intact()) {
                    out.printf("%s: intact, %d events%n", cid, check.events());
                } else {
                    out.printf("%s: NOT INTACT at event %d: %s%n", cid, check.firstBadSeq(), check.problem());
                    code = ALTERED;
                }
            }
            List<String> damage = log.damage();
            if (!damage.isEmpty()) {
                out.printf("%s: DAMAGED: SQLite's page check says: %s%n", log.file(), String.join("; ", damage));
                code = ALTERED;
            }
        }
        if (code != 0) {
            spec.commandLine()
                    .getErr()
                    .println("labloop: store " + data.resolve().resolve(SqliteEventLog.FILE_NAME)
                            + " is not intact; restore the data directory from a"
                            + " backup (the lines above name what is wrong)");
        }
        return code;
    }
}

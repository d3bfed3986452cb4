package org.labloop.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.SourceFile;
import org.labloop.config.CampaignLoader;
import org.labloop.core.InvalidInputException;
import org.labloop.core.Problem;
import org.labloop.data.CsvTables;
import org.labloop.device.DriverRegistry;
import org.labloop.emulator.EmulatorRegistry;
import org.labloop.event.ChainCheck;
import org.labloop.event.Event;
import org.labloop.event.EventLog;
import org.labloop.event.EventLogException;
import org.labloop.planner.PlannerRegistry;
import org.labloop.store.PostgresEventLog;
import org.labloop.store.SqliteEventLog;
import org.labloop.store.StoreLocation;

/** The composition root: which registries, stores and loaders the CLI uses. */
public final class Lab {
    public final PlannerRegistry planners = PlannerRegistry.standard();
    public final DriverRegistry drivers = DriverRegistry.standard();

    public EmulatorRegistry emulators(Path baseDir) {
        return EmulatorRegistry.standard(p -> CsvTables.read(baseDir.resolve(p)));
    }

    /** Role prefix of a table an emulator read, stored with the campaign: this, then the path as the file wrote it. */
    public static final String TABLE = CampaignLoader.EMULATOR_TABLE;

    /**
     * Emulators whose tables come from {@code stored} (by the path as written, when the campaign already holds a copy)
     * or else from files under {@code baseDir}, each such file added to {@code read} so the campaign can store it.
     * With {@code confined}, a path may not leave {@code baseDir} (campaigns submitted over the network).
     */
    public EmulatorRegistry emulators(
            Path baseDir, Map<String, SourceFile> stored, List<SourceFile> read, boolean confined) {
        return EmulatorRegistry.standard(p -> {
            SourceFile copy = stored.get(p);
            if (copy != null) {
                return CsvTables.parse(copy.path(), copy.text());
            }
            Path root = baseDir.toAbsolutePath().normalize();
            Path file = root.resolve(p).normalize();
            if (confined && !file.startsWith(root)) {
                throw new InvalidInputException(Problem.at(
                        p,
                        "a table of a campaign sent to the server must lie in " + root,
                        "put the CSV in that folder and name it by a path relative to it"));
            }
            if (!Files.exists(file)) {
                throw new InvalidInputException(
                        Problem.at(file.toString(), "file not found", missingTable(root, file)));
            }
            if (confined && !insideReally(root, file)) {
                // A link in the folder to a file outside it would read what the folder rule forbids.
                throw new InvalidInputException(Problem.at(
                        p,
                        "a table of a campaign sent to the server must lie in " + root
                                + " (this one is a link to a file outside it)",
                        "copy the CSV into that folder instead of linking to it"));
            }
            String text = CsvTables.readText(file);
            read.add(SourceFile.of(TABLE + p, file.toString(), text));
            return CsvTables.parse(file.toString(), text);
        });
    }

    /** Whether {@code file}, links resolved, lies in {@code root} (links resolved too). */
    private static boolean insideReally(Path root, Path file) {
        try {
            return file.toRealPath().startsWith(root.toRealPath());
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The CSV beside the campaign with the closest name, or where a relative table path starts. */
    private static String missingTable(Path root, Path file) {
        String near = CampaignLoader.similarFile(file);
        return near.isEmpty() ? "a relative path starts at the campaign file's folder, " + root : near;
    }

    public CampaignLoader loader() {
        return new CampaignLoader(planners.names(), emulators(Path.of("")).names());
    }

    /** A data directory given as a file is named as such, as run names it, not as a store whose file is missing. */
    private static void requireStoreIn(Path dataDir) {
        if (Files.isRegularFile(dataDir)) {
            throw new InvalidInputException(Problem.at(
                    dataDir.toString(),
                    "is a file, not a data directory",
                    "pass --data the directory that holds " + SqliteEventLog.FILE_NAME));
        }
    }

    /** Opens the existing store at {@code location}; refuses to create one for commands that act on a campaign. */
    public static EventLog openExisting(StoreLocation location) {
        return switch (location) {
            case StoreLocation.Directory d -> openExisting(d.path());
            case StoreLocation.Postgres pg -> {
                requirePostgresStore(pg);
                yield PostgresEventLog.open(pg);
            }
        };
    }

    /**
     * Opens the existing store at {@code location} for a command that only reads (status, export, verify): nothing is
     * created, migrated or written. {@code checkPages} applies to the embedded store (see below).
     */
    public static EventLog openReadOnly(StoreLocation location, boolean checkPages) {
        return switch (location) {
            case StoreLocation.Directory d -> openReadOnly(d.path(), checkPages);
            case StoreLocation.Postgres pg -> {
                requirePostgresStore(pg);
                yield PostgresEventLog.openReadOnly(pg);
            }
        };
    }

    private static void requirePostgresStore(StoreLocation.Postgres pg) {
        if (!PostgresEventLog.exists(pg)) {
            throw new InvalidInputException(Problem.at(
                    pg.describe(),
                    "no LabLoop store here (schema " + pg.schema() + " holds none)",
                    "run a campaign there first, or name the schema that holds one with ?schema=NAME"));
        }
    }

    /** Opens the store in an existing data directory; refuses to create one for read-only commands. */
    public static EventLog openExisting(Path dataDir) {
        requireStoreIn(dataDir);
        if (!Files.isRegularFile(dataDir.resolve(SqliteEventLog.FILE_NAME))) {
            throw new InvalidInputException(Problem.at(
                    dataDir.toString(),
                    "no LabLoop store here (" + SqliteEventLog.FILE_NAME + " is missing)",
                    "run a campaign first (./labloop demo) or pass --data DIR"));
        }
        return SqliteEventLog.open(dataDir);
    }

    /**
     * Opens the store in an existing data directory for a command that only reads (status, export, verify): nothing
     * is migrated or written, and a damaged or foreign file is refused with what is wrong and what to do.
     * {@code checkPages} false leaves SQLite's page check to the caller ({@code verify} reports it itself).
     */
    public static SqliteEventLog openReadOnly(Path dataDir, boolean checkPages) {
        requireStoreIn(dataDir);
        if (!Files.exists(dataDir.resolve(SqliteEventLog.FILE_NAME))) {
            throw new InvalidInputException(Problem.at(
                    dataDir.toString(),
                    "no LabLoop store here (" + SqliteEventLog.FILE_NAME + " is missing)",
                    "run a campaign first (./labloop demo) or pass --data DIR"));
        }
        return SqliteEventLog.openReadOnly(dataDir, checkPages);
    }

    /**
     * A campaign's state folded from its whole log after proving the log intact (every hash and link), for commands
     * that show or export data: an altered or damaged log is refused, never shown.
     */
    public static CampaignState loadVerified(EventLog log, String id) {
        return foldVerified(log, id, log.readAll(id));
    }

    /** As {@link #loadVerified} for events already read. */
    public static CampaignState foldVerified(EventLog log, String id, List<Event> events) {
        ChainCheck check = ChainCheck.of(events);
        if (!check.intact()) {
            throw new EventLogException("campaign " + id + " in " + log.location() + " is not intact: "
                    + check.problem() + ". Nothing is shown from an altered log; run `labloop verify` for details"
                    + " and restore the data directory from a backup");
        }
        if (events.isEmpty()) {
            throw new EventLogException("campaign " + id + " has no events in " + log.location()
                    + "; restore the data directory from a backup");
        }
        CampaignState state = new CampaignState();
        try {
            state.applyAll(events);
        } catch (EventLogException e) {
            throw new EventLogException(
                    "campaign " + id + " in " + log.location() + " cannot be read back: " + e.getMessage()
                            + ". Its hash chain is intact, so the events were written this way (by a faulty or forged"
                            + " writer); restore the data directory from a backup",
                    e);
        }
        return state;
    }

    /** The campaign named by {@code id}, or the only one when {@code id} is null. */
    public static String pickCampaign(EventLog log, String id) {
        List<String> ids = log.campaignIds();
        if (id != null) {
            if (!ids.contains(id)) {
                throw InvalidInputException.of(
                        log.location(),
                        "no campaign '" + id + "'",
                        ids.isEmpty() ? "the store holds no campaign" : "campaigns here: " + String.join(", ", ids));
            }
            return id;
        }
        if (ids.size() == 1) {
            return ids.get(0);
        }
        throw InvalidInputException.of(
                log.location(),
                ids.isEmpty() ? "the store holds no campaign" : "the store holds " + ids.size() + " campaigns",
                ids.isEmpty() ? "run one first" : "name one: " + String.join(", ", ids));
    }

    public static CampaignState load(EventLog log, String id) {
        return CampaignState.load(log, id);
    }

    /**
     * When campaign {@code id}'s events were written on the wall clock (null when none of them says: the log was
     * written before LabLoop kept these times), with the actions people took (events by a {@code user:} actor) when
     * {@code withActions}. The span (first to last) is given only when every event has its time: a campaign begun
     * before the store kept them would otherwise seem to have begun at the upgrade.
     */
    public static org.labloop.data.Dataset.Recording recording(EventLog log, String id, boolean withActions) {
        java.util.Map<Long, java.time.Instant> times = log.recordedAt(id);
        if (times.isEmpty()) {
            return null;
        }
        List<org.labloop.data.Dataset.Action> actions = new java.util.ArrayList<>();
        if (withActions) {
            for (org.labloop.event.Event e : log.readAll(id)) {
                if (e.actor().startsWith("user:")) {
                    actions.add(new org.labloop.data.Dataset.Action(
                            e.seq(),
                            e.body().typeName(),
                            e.actor(),
                            org.labloop.event.EventCodec.text(e.at()),
                            times.get(e.seq())));
                }
            }
        }
        // Rows written before the times were kept are the log's first ones.
        boolean complete = times.containsKey(1L);
        java.time.Instant from = complete ? times.get(1L) : null;
        java.time.Instant to = complete
                ? times.values().stream()
                        .max(java.util.Comparator.naturalOrder())
                        .orElseThrow()
                : null;
        return new org.labloop.data.Dataset.Recording(from, to, actions);
    }

    /** The spec a stored campaign was created with, parsed again from the files' text kept in its first event. */
    public CampaignSpec specOf(CampaignState state) {
        List<SourceFile> sources = state.sources().stream()
                .map(s -> new SourceFile(s.role(), s.path(), s.text(), s.sha256()))
                .toList();
        try {
            return loader().parseStored(sources).spec().withSeed(state.seed());
        } catch (InvalidInputException e) {
            throw new EventLogException(
                    "campaign " + state.id() + ": the campaign files stored in its first event no"
                            + " longer load (" + e.problems().get(0)
                            + (e.problems().size() > 1 ? " and " + (e.problems().size() - 1) + " more" : "")
                            + "); they were stored by another LabLoop version whose rules differ, or the log was written"
                            + " by a faulty or forged writer: read it with the version that wrote it, or restore the"
                            + " data directory from a backup",
                    e);
        }
    }
}

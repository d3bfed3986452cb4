package org.labloop.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.labloop.campaign.CampaignState;
import org.labloop.core.InvalidInputException;
import org.labloop.lab.CampaignRunner;
import org.labloop.lab.Lab;
import org.labloop.lab.LabStore;
import org.labloop.planner.BayesianPlanner;
import org.labloop.store.StoreLocation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code labloop run CAMPAIGN.yaml...}: validates, creates and runs a campaign; several files run at once on the
 * workcell they share.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description =
                "Run a campaign file until its budget is spent or its goal is met. Several files naming the same workcell run at"
                        + " once on it, the campaign of higher 'priority' first where they compete for a device.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "1..*", paramLabel = "CAMPAIGN.yaml", description = "The campaign file(s).")
    List<Path> campaigns;

    @Mixin
    DataOption data;

    @Option(names = "--seed", paramLabel = "N", description = "Seed to use instead of the file's.")
    Long seed;

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

    @Option(
            names = "--pace",
            paramLabel = "X",
            description =
                    "Simulated campaigns only: virtual seconds per real second, to watch and steer the run (pause,"
                            + " resume, abort from another terminal); default max, as fast as possible. Event times stay"
                            + " virtual, so the data are the same at any pace.")
    String pace = "max";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        double paced = ServeCommand.parsePace(pace);
        if (campaigns.size() > 1 && paced > 0) {
            throw InvalidInputException.of(
                    "--pace",
                    "several campaigns run together as fast as possible",
                    "leave out --pace, or run one campaign at a pace");
        }
        if (campaigns.size() > 1) {
            return runShared(
                    new Lab(),
                    campaigns,
                    data.location(),
                    seed,
                    forceNew,
                    spec.commandLine().getOut());
        }
        return runFile(
                new Lab(),
                campaigns.get(0),
                data.location(),
                seed,
                !noProgress,
                forceNew,
                paced,
                spec.commandLine().getOut());
    }

    @Option(names = "--new", description = "Start a new campaign even if an unfinished one from the same files exists.")
    boolean forceNew;

    static int runFile(Lab lab, Path file, StoreLocation dataDir, Long seed, boolean progress, PrintWriter out) {
        return runFile(lab, file, dataDir, seed, progress, false, out);
    }

    static int runFile(
            Lab lab, Path file, StoreLocation dataDir, Long seed, boolean progress, boolean forceNew, PrintWriter out) {
        return runFile(lab, file, dataDir, seed, progress, forceNew, 0, out);
    }

    static int runFile(
            Lab lab,
            Path file,
            StoreLocation dataDir,
            Long seed,
            boolean progress,
            boolean forceNew,
            double pace,
            PrintWriter out) {
        CampaignRunner runner = new CampaignRunner(lab);
        CampaignRunner.Prepared prepared = runner.prepare(file, seed);
        if (forceNew || !storeExists(dataDir)) {
            prepared.requireNew(); // no campaign to resume: refused before the store is made
        }
        try (LabStore store = LabStore.open(dataDir)) {
            // Whether these files resume a campaign or start one is decided, and that campaign taken, by one run at a
            // time: two runs of the same new files started together would otherwise each start a campaign.
            Runnable decided = deciding(store, forceNew, List.of(prepared.spec().name()));
            try {
                return runDecided(runner, prepared, store, forceNew, progress, pace, out, decided);
            } finally {
                decided.run();
            }
        }
    }

    /**
     * Takes the locks that make deciding between resuming and creating one step per campaign name, in name order so two
     * runs cannot wait on each other (none with {@code --new}, which always creates); returns what lets them go, which
     * may run more than once.
     */
    private static Runnable deciding(LabStore store, boolean forceNew, java.util.Collection<String> names) {
        List<LabStore.EngineLock> held = new ArrayList<>();
        Runnable release = () -> held.forEach(LabStore.EngineLock::close);
        try {
            if (!forceNew) {
                for (String name : new java.util.TreeSet<>(names)) {
                    held.add(deciding(store, name));
                }
            }
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
        return release;
    }

    /**
     * The lock of one campaign name; another run deciding for the same name holds it for a moment only (until it has
     * taken its campaign), so it is waited for.
     */
    private static LabStore.EngineLock deciding(LabStore store, String campaignName) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return store.lock(campaignName + ".deciding");
            } catch (org.labloop.lab.CampaignLockedException e) {
                if (System.nanoTime() > deadline) {
                    throw new org.labloop.lab.CampaignLockedException("another run of campaign " + campaignName
                            + " has been starting for 30 s; wait for it, then run the files again");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new org.labloop.lab.CampaignLockedException(
                            "interrupted while waiting for another run of campaign " + campaignName + " to start");
                }
            }
        }
    }

    private static int runDecided(
            CampaignRunner runner,
            CampaignRunner.Prepared prepared,
            LabStore store,
            boolean forceNew,
            boolean progress,
            double pace,
            PrintWriter out,
            Runnable decided) {
        Optional<String> twin = forceNew ? Optional.empty() : runner.unfinishedTwin(prepared, store.log());
        String id;
        if (twin.isPresent()) {
            id = twin.get();
            CampaignState twinState = Lab.load(store.log(), id);
            if (twinState.status() == org.labloop.campaign.CampaignStatus.PAUSED) {
                throw InvalidInputException.of(
                        "campaign " + id + " in " + store.log().location(),
                        "this campaign is paused (by " + twinState.pausedBy() + ")",
                        "continue it with: " + launcher() + " resume " + id + dataHint(store)
                                + ", or start another with --new");
            }
            store.requireNotDriven(id);
            out.println("Resuming unfinished campaign " + id + " (same files and seed; --new starts another).");
            List<String> partners = unfinishedPartners(store, twinState);
            if (!partners.isEmpty()) {
                // Resuming creates nothing, and the campaigns' own locks refuse a second resume: let the next run
                // decide at once rather than wait for the whole group's run.
                decided.run();
                return resumeShared(runner, store, id, partners, out, null);
            }
        } else {
            runner.requireDevicesFree(store, List.of(prepared), List.of()); // before anything is written
            id = runner.create(prepared.requireNew(), store.log(), actor());
            if (!forceNew) {
                noteUnfinishedNamesakes(store, prepared.spec().name(), id, out);
                noteFinishedTwins(runner, prepared, store, id, out);
            }
        }
        // The next run to decide finds this campaign taken once its engine holds it.
        return drive(runner, prepared, store, id, progress, out, null, pace, decided);
    }

    /**
     * Says so when unfinished campaigns of the same name exist that this run did not resume: their files (or seed) have
     * changed since, so running the files again started a new campaign, which may not be what the person meant.
     */
    private static void noteUnfinishedNamesakes(LabStore store, String name, String created, PrintWriter out) {
        for (String other : store.log().campaignIds()) {
            if (other.equals(created)) {
                continue;
            }
            CampaignState s = Lab.load(store.log(), other);
            if (s.name().equals(name) && !s.status().finished()) {
                out.println("Note: campaign " + other + " of the same name is unfinished; it was created from other"
                        + " file contents or another seed, so this run started " + created
                        + " instead. To continue it: " + launcher() + " resume " + other + dataHint(store));
            }
        }
    }

    /** Says so when these very files and seed already ran to the end: the new campaign repeats that one. */
    private static void noteFinishedTwins(
            CampaignRunner runner, CampaignRunner.Prepared prepared, LabStore store, String created, PrintWriter out) {
        CampaignState latest = null;
        for (String other : store.log().campaignIds()) {
            if (other.equals(created)) {
                continue;
            }
            CampaignState s = Lab.load(store.log(), other);
            if (s.status().finished() && runner.isTwin(prepared, s)) {
                latest = s; // ids come in creation order: the last one found is the latest
            }
        }
        if (latest != null) {
            out.println("Note: campaign " + latest.id() + ", from the same files and seed, is already "
                    + latest.status().name().toLowerCase(java.util.Locale.ROOT) + "; this run starts " + created
                    + ", a new campaign. To see the earlier one: " + launcher() + " status " + latest.id()
                    + dataHint(store));
        }
    }

    /** Runs several campaign files at once on the workcell they share (each resumed if an unfinished twin exists). */
    static int runShared(
            Lab lab, List<Path> files, StoreLocation dataDir, Long seed, boolean forceNew, PrintWriter out) {
        requireDistinct(files);
        CampaignRunner runner = new CampaignRunner(lab);
        List<CampaignRunner.Prepared> prepared =
                files.stream().map(f -> runner.prepare(f, seed)).toList();
        // Checked before anything is created: bad input writes nothing.
        CampaignRunner.requireOneWorkcell(
                prepared, files.stream().map(Path::toString).toList());
        if (forceNew || !storeExists(dataDir)) {
            prepared.forEach(CampaignRunner.Prepared::requireNew);
        }
        try (LabStore store = LabStore.open(dataDir)) {
            // As for one file: one run at a time decides for these names, until its campaigns are taken.
            Runnable decided = deciding(
                    store, forceNew, prepared.stream().map(p -> p.spec().name()).toList());
            try {
                return runSharedDecided(runner, files, prepared, store, forceNew, out, decided);
            } finally {
                decided.run();
            }
        }
    }

    private static int runSharedDecided(
            CampaignRunner runner,
            List<Path> files,
            List<CampaignRunner.Prepared> prepared,
            LabStore store,
            boolean forceNew,
            PrintWriter out,
            Runnable decided) {
        java.util.Map<String, CampaignState> states = new java.util.HashMap<>();
        java.util.function.Function<String, CampaignState> state =
                id -> states.computeIfAbsent(id, c -> Lab.load(store.log(), c));
        List<Optional<String>> twins = new ArrayList<>();
        // Resuming a group: a campaign of it that already finished is not run again (a new one would be).
        java.util.Set<String> finishedPartners = new java.util.HashSet<>();
        for (CampaignRunner.Prepared p : prepared) {
            Optional<String> twin = forceNew ? Optional.empty() : runner.unfinishedTwin(p, store.log());
            twins.add(twin.isPresent() && twins.contains(twin) ? Optional.empty() : twin);
            if (twin.isPresent()) {
                CampaignState t = state.apply(twin.get());
                if (pausedByOperator(t)) {
                    throw InvalidInputException.of(
                            "campaign " + t.id() + " in " + store.log().location(),
                            "this campaign is paused (by " + t.pausedBy() + ")",
                            "continue it with: " + launcher() + " resume " + t.id() + dataHint(store)
                                    + ", or start new ones with --new");
                }
                t.sharedWith().stream()
                        .filter(partner -> store.log().campaignIds().contains(partner))
                        .filter(partner -> state.apply(partner).status().finished())
                        .forEach(finishedPartners::add);
            }
        }
        List<String> twinIds = twins.stream().flatMap(Optional::stream).toList();
        runner.requireDevicesFree(store, prepared, twinIds); // before anything is written
        for (int i = 0; i < prepared.size(); i++) {
            if (twins.get(i).isEmpty()) {
                prepared.get(i).requireNew();
            }
        }
        List<String> ids = new ArrayList<>();
        List<CampaignRunner.Prepared> running = new ArrayList<>();
        for (int i = 0; i < prepared.size(); i++) {
            CampaignRunner.Prepared p = prepared.get(i);
            if (twins.get(i).isPresent()) {
                store.requireNotDriven(twins.get(i).get());
                out.println("Resuming unfinished campaign " + twins.get(i).get() + " (same files and seed).");
                ids.add(twins.get(i).get());
            } else {
                Optional<String> done = finishedPartners.stream()
                        .filter(id -> runner.isTwin(p, state.apply(id)))
                        .findFirst();
                if (done.isPresent()) {
                    out.println("Campaign " + done.get() + " from " + files.get(i)
                            + " has already finished; the others resume without it.");
                    continue;
                }
                ids.add(runner.create(p, store.log(), actor()));
            }
            running.add(p);
        }
        return driveShared(runner, running, store, ids, out, null, decided);
    }

    private static boolean storeExists(StoreLocation location) {
        return switch (location) {
            case StoreLocation.Directory d ->
                java.nio.file.Files.exists(d.path().resolve(org.labloop.store.SqliteEventLog.FILE_NAME));
            case StoreLocation.Postgres pg -> org.labloop.store.PostgresEventLog.exists(pg);
        };
    }

    /** What a printed command needs to reach {@code store}: nothing for the default data directory. */
    static String dataHint(LabStore store) {
        return store.location() instanceof StoreLocation.Directory d && d.path().equals(Path.of("labloop-data"))
                ? ""
                : " --data " + Shell.quote(store.location().describe());
    }

    /** Where the data went, for a run's last lines: the store's file, or its PostgreSQL address. */
    static String dataPlace(LabStore store) {
        return store.location() instanceof StoreLocation.Directory d
                ? d.path().resolve(org.labloop.store.SqliteEventLog.FILE_NAME).toString()
                : store.location().describe();
    }

    /** Campaigns {@code s} has shared its workcell with that have not ended: they resume with it. */
    static List<String> unfinishedPartners(LabStore store, CampaignState s) {
        return s.sharedWith().stream()
                .filter(id -> store.log().campaignIds().contains(id))
                .filter(id -> !Lab.load(store.log(), id).status().finished())
                .toList();
    }

    /** Refuses a campaign file given twice: it would run as two campaigns with one seed, the same run twice over. */
    static void requireDistinct(List<Path> files) {
        java.util.Set<Path> seen = new java.util.HashSet<>();
        for (Path f : files) {
            if (!seen.add(f.toAbsolutePath().normalize())) {
                throw org.labloop.core.InvalidInputException.of(
                        f.toString(),
                        "is given twice",
                        "give each campaign file once; for a replicate, copy the file and change its seed");
            }
        }
    }

    /** True when an operator (not the engine, waiting for an operator's answer) paused the campaign. */
    static boolean pausedByOperator(CampaignState s) {
        return s.status() == org.labloop.campaign.CampaignStatus.PAUSED && !"engine".equals(s.pausedBy());
    }

    /** Resumes {@code id} together with the unfinished campaigns it shared its workcell with. */
    static int resumeShared(
            CampaignRunner runner,
            LabStore store,
            String id,
            List<String> partners,
            PrintWriter out,
            String resumeReason) {
        out.println("Campaign " + id + " shares its workcell with " + String.join(", ", partners)
                + "; they resume together.");
        for (String p : partners) {
            CampaignState s = Lab.load(store.log(), p);
            if (pausedByOperator(s)) {
                // The run goes on until every campaign in it has ended: a paused one holds it open.
                out.println("Campaign " + p + " stays paused (by " + s.pausedBy() + "); the run ends once it is"
                        + " resumed and done: " + launcher() + " resume " + p + dataHint(store)
                        + " from another terminal.");
            }
        }
        List<String> ids = new ArrayList<>();
        ids.add(id);
        ids.addAll(partners);
        List<CampaignRunner.Prepared> prepared = ids.stream()
                .map(c -> runner.prepareStored(Lab.load(store.log(), c)))
                .toList();
        return driveShared(runner, prepared, store, ids, out, resumeReason, () -> {});
    }

    /**
     * Runs campaigns {@code ids} together to their ends, then prints each one's summary; {@code taken} runs once this
     * process holds every one of the campaigns.
     */
    static int driveShared(
            CampaignRunner runner,
            List<CampaignRunner.Prepared> prepared,
            LabStore store,
            List<String> ids,
            PrintWriter out,
            String resumeReason,
            Runnable taken) {
        if (awaitingApproval(prepared, store, ids, out)) {
            out.printf(
                    "Campaigns %s run together on their workcell, so none starts until every one is signed; then run"
                            + " the same files together again.%n",
                    String.join(", ", ids));
            return org.labloop.campaign.Approval.NotApprovedException.EXIT_CODE;
        }
        out.printf(
                "Running campaigns %s together on workcell %s, %s.%n",
                String.join(", ", ids),
                prepared.get(0).spec().workcell().name(),
                prepared.stream().allMatch(p -> runner.simulated(p.spec()))
                        ? "simulated devices in virtual time"
                        : "real devices");
        for (int i = 0; i < prepared.size(); i++) {
            for (String n : notes(runner, prepared.get(i))) {
                out.println("Note: " + ids.get(i) + ": " + n + ".");
            }
        }
        Main.whenStopped(afterSignal(ids, store));
        out.flush();
        long t0 = System.nanoTime();
        List<CampaignState> states = runner.runShared(prepared, store, ids, actor(), resumeReason, taken);
        double wall = (System.nanoTime() - t0) / 1e9;
        for (int i = 0; i < states.size(); i++) {
            out.printf("%n");
            new Summary(prepared.get(i).spec(), states.get(i))
                    .typed(launcher(), dataHint(store))
                    .recorded(Lab.recording(store.log(), states.get(i).id(), false))
                    .print(out);
        }
        out.printf(
                "%nWall time %.1f s. Data: %s (campaigns %s, hash-chained).%n",
                wall, dataPlace(store), String.join(", ", ids));
        return exitCode(states);
    }

    /**
     * The commands that show and continue these campaigns of this store, as typed here (resuming one of campaigns that
     * share a workcell resumes them all).
     */
    private static String afterSignal(List<String> ids, LabStore store) {
        String hint = dataHint(store);
        return launcher() + " status " + ids.get(0) + hint + " shows where " + (ids.size() == 1 ? "it is" : "they are")
                + ", " + launcher() + " resume " + ids.get(0) + hint + " continues "
                + (ids.size() == 1 ? "it" : "them");
    }

    /** What a person starting the campaign should know: the planner's and the runner's notes (without a full stop). */
    private static List<String> notes(CampaignRunner runner, CampaignRunner.Prepared prepared) {
        List<String> out = new ArrayList<>();
        var spec = prepared.spec();
        boolean bayesian = spec.planner().type().equals("bayesian");
        if (bayesian && spec.batchSize() >= spec.budget() && spec.budget() > 1) {
            out.add("batch_size " + spec.batchSize() + " is not below the budget of " + spec.budget() + ": every"
                    + " experiment is proposed at once, before any result, so the bayesian planner has nothing to"
                    + " learn from and proposes a space-filling design. Lower batch_size to let it learn");
        } else if (bayesian) {
            Object written = spec.planner().options().get("initial");
            double initial = written instanceof Number n ? n.doubleValue() : BayesianPlanner.DEFAULT_INITIAL;
            if (initial >= spec.budget()) {
                out.add("the planner's initial design (initial: " + Summary.num(initial)
                        + (written == null ? ", the default" : "") + ") is not smaller than the budget of "
                        + spec.budget() + ": every experiment comes from the space-filling design and the model never"
                        + " chooses one. Lower initial to let it learn");
            }
        }
        out.addAll(runner.notes(prepared));
        return out;
    }

    /**
     * Says which of the campaigns still wait for signatures (their files ask for {@code approval}) and how to give
     * them; true when any does, and then nothing is run.
     */
    static boolean awaitingApproval(
            List<CampaignRunner.Prepared> prepared, LabStore store, List<String> ids, PrintWriter out) {
        boolean waiting = false;
        for (int i = 0; i < ids.size(); i++) {
            CampaignState s = Lab.load(store.log(), ids.get(i));
            int needed = prepared.get(i).spec().signaturesNeeded();
            int missing = org.labloop.campaign.Approval.missing(prepared.get(i).spec(), s);
            if (missing == 0) {
                continue;
            }
            waiting = true;
            String data = dataHint(store);
            out.printf(
                    "Campaign %s waits for approval: its file asks for %d signature%s before it runs, and it has %s."
                            + " Nothing was started.%n",
                    s.id(),
                    needed,
                    needed == 1 ? "" : "s",
                    s.signatures().isEmpty()
                            ? "none"
                            : s.signatures().size() + " ("
                                    + String.join(
                                            ", ",
                                            s.signatures().stream()
                                                    .map(CampaignState.Signature::signer)
                                                    .toList())
                                    + ")");
            out.printf(
                    "  Each signer, with their own operator or admin token (%s token create --name NAME%s):"
                            + " %s sign %s%s%n",
                    launcher(), data, launcher(), s.id(), data);
            if (ids.size() == 1) {
                out.printf("  Then start it: %s resume %s%s%n", launcher(), s.id(), data);
            }
        }
        return waiting;
    }

    /** Exit code of a run whose campaign an operator aborted: what was recorded stays, the campaign did not finish. */
    static final int ABORTED = 6;

    /** Exit code of a run whose campaign finished with every experiment failed: it ran, but measured nothing. */
    static final int NOTHING_MEASURED = 7;

    private static int exitCode(List<CampaignState> states) {
        if (states.stream().anyMatch(st -> st.status() == org.labloop.campaign.CampaignStatus.ABORTED)) {
            return ABORTED;
        }
        return states.stream().anyMatch(Summary::nothingMeasured) ? NOTHING_MEASURED : 0;
    }

    static String actor() {
        return "user:" + System.getProperty("user.name", "unknown");
    }

    /**
     * Runs campaign {@code id} with a progress bar, then prints the summary; simulated time passes {@code pace}
     * virtual seconds per real second (0: as fast as possible), and {@code taken} runs once this process holds the
     * campaign and its engine is built.
     */
    static int drive(
            CampaignRunner runner,
            CampaignRunner.Prepared prepared,
            LabStore store,
            String id,
            boolean progress,
            PrintWriter out,
            String resumeReason,
            double pace,
            Runnable taken) {
        if (awaitingApproval(List.of(prepared), store, List.of(id), out)) {
            return org.labloop.campaign.Approval.NotApprovedException.EXIT_CODE;
        }
        out.printf(
                "Running campaign %s: %d experiments, %d at a time, %s.%n",
                id,
                prepared.spec().budget(),
                prepared.spec().batchSize(),
                !runner.simulated(prepared.spec())
                        ? "real devices"
                        : pace > 0
                                ? "simulated devices in virtual time, " + Summary.num(pace) + " virtual s per s"
                                : "simulated devices in virtual time");
        notes(runner, prepared).forEach(n -> out.println("Note: " + n + "."));
        Main.whenStopped(afterSignal(List.of(id), store));
        out.flush();
        long t0 = System.nanoTime();
        ProgressBar bar =
                new ProgressBar(out, prepared.spec().budget(), progress, launcher() + " resume", dataHint(store));
        CampaignState state;
        try {
            state = runner.run(
                    prepared,
                    store,
                    id,
                    bar,
                    actor(),
                    engine -> {
                        taken.run();
                        if (resumeReason != null) {
                            engine.resume(actor(), resumeReason);
                        }
                    },
                    pace);
        } finally {
            bar.finish();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        new Summary(prepared.spec(), state)
                .typed(launcher(), dataHint(store))
                .recorded(Lab.recording(store.log(), state.id(), false))
                .print(out);
        out.printf(
                "Wall time %.1f s. Data: %s (campaign %s, %d events, hash-chained).%n",
                wall, dataPlace(store), state.id(), state.lastSeq());
        out.printf("Export it: %s export %s --format csv%s%n", launcher(), state.id(), dataHint(store));
        return exitCode(List.of(state));
    }

    /** How to call the launcher from the current folder: ./labloop in its own folder, its path from elsewhere. */
    static String launcher() {
        String home = System.getProperty("labloop.home");
        if (home == null) {
            return "labloop";
        }
        Path dir = Path.of(home).toAbsolutePath().normalize();
        return dir.equals(Path.of("").toAbsolutePath().normalize()) ? "./labloop" : Shell.quote(dir.resolve("labloop"));
    }
}

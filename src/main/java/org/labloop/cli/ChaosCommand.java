package org.labloop.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.ExperimentState;
import org.labloop.campaign.ExperimentStatus;
import org.labloop.core.InvalidInputException;
import org.labloop.core.LabLoopException;
import org.labloop.data.Dataset;
import org.labloop.event.ChainCheck;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.event.EventLog;
import org.labloop.lab.Lab;
import org.labloop.store.LogProgress;
import org.labloop.store.PostgresEventLog;
import org.labloop.store.StoreLocation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code labloop chaos}: runs a campaign (or several sharing one workcell) as a child process, kills it with SIGKILL at
 * random moments, resumes it each time, and compares the result with an uninterrupted run of the same seed.
 */
@Command(
        name = "chaos",
        mixinStandardHelpOptions = true,
        description = "Kill a running campaign (or several sharing one workcell) at random moments (SIGKILL), resume"
                + " it each time, and compare the final datasets with an uninterrupted run.")
final class ChaosCommand implements Callable<Integer> {
    @Option(
            names = "--campaign",
            required = true,
            arity = "1..*",
            paramLabel = "FILE",
            description = "The campaign file; several files (or the option repeated) run together on the workcell they"
                    + " share.")
    List<Path> campaigns;

    @Option(names = "--kills", paramLabel = "N", description = "How many times to kill it (default: 10).")
    int kills = 10;

    @Option(
            names = "--severs",
            paramLabel = "N",
            description = "With a PostgreSQL --store: also end the running process's sessions on the server N times"
                    + " (as a restart of the server would), at random points; the process must carry on by itself"
                    + " (default: 0).")
    int severs;

    @Option(names = "--seed", paramLabel = "S", description = "Seeds the kill moments and the campaign (default: 1).")
    long seed = 1;

    @Option(
            names = "--work",
            paramLabel = "DIR",
            description = "Where to keep both runs' data (default: a new temporary directory).")
    Path work;

    @Option(
            names = "--store",
            paramLabel = "URL",
            description = "Keep the interrupted run's store there instead of under --work: a PostgreSQL address"
                    + " (postgresql://USER@HOST:PORT/DATABASE?schema=NAME) whose schema holds no campaign yet, to prove"
                    + " the server store the same way.")
    String store;

    @Spec
    CommandSpec spec;

    /** What a run prints as its engine starts: "Running campaign ID: ..." or "Running campaigns A, B together". */
    private static final String STARTED = "Running campaign";

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (kills < 0 || severs < 0) {
            throw InvalidInputException.of(
                    kills < 0 ? "--kills" : "--severs",
                    "must be 0 or more, got " + (kills < 0 ? kills : severs),
                    "pass --kills 10 (and, with a PostgreSQL --store, --severs 10)");
        }
        if (kills + severs == 0) {
            throw InvalidInputException.of(
                    "--kills",
                    "is 0 and so is --severs: without an interruption there is nothing to prove",
                    "pass --kills 10 (and, with a PostgreSQL --store, --severs 10)");
        }
        Lab lab = new Lab();
        RunCommand.requireDistinct(campaigns);
        // Bad files, or files on different workcells, fail here, before any child runs.
        org.labloop.lab.CampaignRunner runner = new org.labloop.lab.CampaignRunner(lab);
        List<org.labloop.lab.CampaignRunner.Prepared> prepared = campaigns.stream()
                .map(f -> runner.prepare(f, seed).requireNew())
                .toList();
        org.labloop.lab.CampaignRunner.requireOneWorkcell(
                prepared, campaigns.stream().map(Path::toString).toList());
        for (int i = 0; i < prepared.size(); i++) {
            if (prepared.get(i).spec().signaturesNeeded() > 0) {
                throw InvalidInputException.of(
                        campaigns.get(i).toString(),
                        "asks for approval (signatures before it runs), and a chaos run starts its campaigns unattended",
                        "run chaos on a copy of the file without 'approval'");
            }
        }
        List<String> files = campaigns.stream().map(Path::toString).toList();
        String named = String.join(" and ", files);
        Path dir = work != null ? work : Files.createTempDirectory("labloop-chaos");
        Path reference = dir.resolve("reference");
        StoreLocation chaos = store == null
                ? new StoreLocation.Directory(dir.resolve("chaos"))
                : StoreLocation.parse(store, System.getenv(), "--store");
        // Both stores must hold this run's campaigns only: they are compared campaign by campaign.
        for (Path p : List.of(reference, dir.resolve("chaos"))) {
            if (Files.exists(p)) {
                throw InvalidInputException.of(
                        "--work " + dir, "already holds a chaos run (" + p + ")", "give a new or empty directory");
            }
        }
        if (severs > 0 && !(chaos instanceof StoreLocation.Postgres)) {
            throw InvalidInputException.of(
                    "--severs",
                    "ends a process's sessions on a PostgreSQL server, and the store is a data directory",
                    "add --store postgresql://USER@HOST:PORT/DATABASE?schema=NAME, or leave out --severs");
        }
        if (chaos instanceof StoreLocation.Postgres pg && PostgresEventLog.exists(pg)) {
            try (EventLog log = Lab.openReadOnly(chaos, false)) {
                if (!log.campaignIds().isEmpty()) {
                    throw InvalidInputException.of(
                            "--store " + pg.describe(),
                            "already holds campaigns (" + log.campaignIds().size() + ")",
                            "name a new schema with ?schema=NAME");
                }
            }
        }

        out.printf(
                "Chaos run of %s, seed %d, %d kills%s requested; data in %s%n",
                named, seed, kills, severs > 0 ? " and " + severs + " severed server connections" : "", dir);
        long t0 = System.nanoTime();
        Child ref = Child.start(run(files, new StoreLocation.Directory(reference), true));
        ref.awaitLine(STARTED);
        long refStarted = System.nanoTime();
        int refCode = ref.waitFor();
        double refWork = (System.nanoTime() - refStarted) / 1e9;
        if (refCode != 0) {
            throw new LabLoopException("the uninterrupted run failed (exit " + refCode + "):\n" + ref.output());
        }
        out.printf(
                "  uninterrupted run: %.1f s of engine time (%.1f s with start-up)%n",
                refWork, (System.nanoTime() - t0) / 1e9);

        // Kill moments spread over the campaign's progress (events written), not over wall time: however loaded the
        // machine, every asked-for kill falls inside the one campaign. Between polls the child runs on, so where in
        // its work each kill lands is still anyone's guess.
        long refEvents;
        try (LogProgress p = new LogProgress(new StoreLocation.Directory(reference))) {
            refEvents = p.events();
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Blow> blows = new ArrayList<>();
        for (int i = 0; i < kills + severs; i++) {
            blows.add(new Blow(2 + random.nextLong(Math.max(1, refEvents - 3)), i >= kills));
        }
        blows.sort(java.util.Comparator.comparingLong(Blow::atEvents));
        int next = 0;
        int survived = 0;
        int severed = 0;
        int restarts = 0;
        boolean finished = false;
        List<String> first = run(files, chaos, true);
        // One campaign comes back through 'resume'. Campaigns sharing a workcell come back through the same 'run'
        // without --new, which resumes those it finds unfinished together and creates any a kill came before (a kill
        // can land before they have recorded that they share the workcell, which 'resume' needs to group them).
        List<String> again = files.size() == 1
                ? List.of("resume", "--data", chaos.describe(), "--no-progress")
                : run(files, chaos, false);
        try (LogProgress progress = new LogProgress(chaos)) {
            while (!finished) {
                // A kill can land after the last campaign ended: then nothing is left to resume.
                if (restarts > 0 && allFinished(chaos, files.size())) {
                    break;
                }
                Child child = Child.start(
                        restarts == 0 ? first : again,
                        chaos instanceof StoreLocation.Postgres pg ? pg.password() : null);
                restarts++;
                boolean running = child.awaitLine(STARTED);
                boolean killed = false;
                while (running && next < blows.size() && !killed) {
                    Blow blow = blows.get(next);
                    if (!child.runsUntil(() -> progress.events() >= blow.atEvents(), random)) {
                        break;
                    }
                    next++;
                    if (blow.sever()) {
                        if (sever((StoreLocation.Postgres) chaos, child.pid()) > 0) {
                            severed++;
                        }
                    } else {
                        child.kill();
                        survived++;
                        killed = true;
                    }
                }
                if (killed) {
                    continue;
                }
                int code = child.waitFor();
                if (code != 0) {
                    throw new LabLoopException("a resumed run failed (exit " + code + ") after " + survived
                            + " kills:\n" + child.output());
                }
                finished = true;
            }
        }
        double total = (System.nanoTime() - t0) / 1e9;
        return compare(out, lab, reference, chaos, survived, severed, restarts, total);
    }

    /** A kill, or a severing of the server sessions ({@code sever}), once the store holds {@code atEvents} events. */
    private record Blow(long atEvents, boolean sever) {}

    /**
     * Ends every session process {@code pid} holds on the server of {@code store}, as a restart of the server would;
     * returns how many.
     */
    private static int sever(StoreLocation.Postgres store, long pid) {
        try (java.sql.Connection db = PostgresEventLog.connect(store);
                java.sql.PreparedStatement ps = db.prepareStatement("SELECT pg_terminate_backend(pid) FROM"
                        + " pg_stat_activity WHERE application_name = ? AND datname = current_database()")) {
            ps.setString(1, StoreLocation.Postgres.applicationName(pid));
            int ended = 0;
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ended += rs.getBoolean(1) ? 1 : 0;
                }
            }
            return ended;
        } catch (java.sql.SQLException e) {
            throw new LabLoopException(
                    "cannot end the sessions of process " + pid + " on " + store.describe() + ": " + e.getMessage());
        }
    }

    /** True when the store holds {@code campaigns} campaigns and every one has ended (no child running). */
    private static boolean allFinished(StoreLocation data, int campaigns) {
        try (EventLog log = Lab.openReadOnly(data, false)) {
            List<String> ids = log.campaignIds();
            return ids.size() == campaigns
                    && ids.stream().allMatch(id -> Lab.load(log, id).status().finished());
        }
    }

    private List<String> run(List<String> files, StoreLocation data, boolean fresh) {
        List<String> args = new ArrayList<>();
        args.add("run");
        args.addAll(files);
        args.addAll(List.of("--data", data.describe(), "--seed", Long.toString(seed), "--no-progress"));
        if (fresh) {
            args.add("--new");
        }
        return args;
    }

    private int compare(
            PrintWriter out,
            Lab lab,
            Path reference,
            StoreLocation chaos,
            int survived,
            int severed,
            int restarts,
            double total) {
        try (EventLog refLog = Lab.openExisting(reference);
                EventLog log = Lab.openExisting(chaos)) {
            // Both stores hold the campaigns in the order their files were given.
            List<String> refIds = refLog.campaignIds();
            List<String> ids = log.campaignIds();
            int experiments = 0;
            int refExperiments = 0;
            int lost = 0;
            long duplicated = 0;
            long events = 0;
            String broken = null;
            boolean sameOutcomes = refIds.size() == ids.size();
            boolean sameDataset = sameOutcomes;
            for (int c = 0; c < Math.min(refIds.size(), ids.size()); c++) {
                CampaignState ref = Lab.load(refLog, refIds.get(c));
                List<Event> all = log.readAll(ids.get(c));
                ChainCheck check = ChainCheck.of(all);
                if (!check.intact() && broken == null) {
                    broken = ids.get(c) + ": " + check.problem();
                }
                CampaignState got = Lab.load(log, ids.get(c));
                Map<String, Integer> measured = new HashMap<>();
                for (Event e : all) {
                    if (e.body() instanceof EventBody.MeasurementRecorded m) {
                        measured.merge(m.experimentId() + "/" + m.name(), 1, Integer::sum);
                    }
                }
                duplicated += measured.values().stream().filter(n -> n > 1).count();
                for (ExperimentState x : ref.experiments().values()) {
                    ExperimentState y = got.experiments().get(x.id());
                    if (y == null
                            || (x.status() == ExperimentStatus.COMPLETED
                                    && !y.measurements()
                                            .keySet()
                                            .containsAll(x.measurements().keySet()))) {
                        lost++;
                    }
                }
                experiments += got.experiments().size();
                refExperiments += ref.experiments().size();
                events += all.size();
                sameOutcomes &= sameOutcomes(ref, got);
                sameDataset &= Dataset.of(got, lab.specOf(got))
                        .cells()
                        .equals(Dataset.of(ref, lab.specOf(ref)).cells());
            }
            out.printf("  kills survived            %d (%d runs, %.1f s in all)%n", survived, restarts, total);
            if (survived < kills) {
                // Each kill waits for the run to reach its point in the campaign; a run that got there between two
                // looks at the store and finished is not killed again.
                out.printf("  kills requested           %d: %d landed before the campaign finished%n", kills, survived);
            }
            if (severs > 0) {
                out.printf(
                        "  server sessions severed   %d of %d requested (a process that stopped fails the run)%n",
                        severed, severs);
            }
            if (refIds.size() > 1) {
                out.printf("  campaigns                 %d of %d%n", ids.size(), refIds.size());
            }
            out.printf("  experiments               %d of %d%n", experiments, refExperiments);
            out.printf("  experiments lost          %d%n", lost);
            out.printf("  measurements duplicated   %d%n", duplicated);
            out.printf(
                    "  event log intact          %s (%d events)%n", broken == null ? "yes" : "NO: " + broken, events);
            out.printf("  same outcomes as uninterrupted run   %s%n", sameOutcomes ? "yes" : "NO");
            out.printf("  same dataset (provenance and times)  %s%n", sameDataset ? "yes" : "NO");
            // Without a kill there is nothing to prove: it would be an uninterrupted run compared with another.
            boolean killed = survived + severed > 0;
            boolean ok = killed && lost == 0 && duplicated == 0 && broken == null && sameOutcomes && sameDataset;
            out.println(ok ? "PASS" : killed ? "FAIL" : "FAIL: no kill landed");
            return ok ? 0 : 1;
        }
    }

    private static boolean sameOutcomes(CampaignState a, CampaignState b) {
        if (a.experiments().size() != b.experiments().size()) {
            return false;
        }
        for (ExperimentState x : a.experiments().values()) {
            ExperimentState y = b.experiments().get(x.id());
            if (y == null || x.status() != y.status() || !x.parameters().equals(y.parameters())) {
                return false;
            }
            Map<String, Double> mx = new HashMap<>();
            Map<String, Double> my = new HashMap<>();
            x.measurements().values().forEach(m -> mx.put(m.name(), m.value()));
            y.measurements().values().forEach(m -> my.put(m.name(), m.value()));
            if (!mx.equals(my)) {
                return false;
            }
        }
        return true;
    }

    /** A {@code labloop} child process on this JVM's classpath, its output collected on a thread. */
    private static final class Child {
        private final Process process;
        private final List<String> lines = new ArrayList<>();

        private Child(Process process) {
            this.process = process;
            Thread reader = new Thread(this::read, "chaos-child-output");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(List<String> args) throws IOException {
            return start(args, null);
        }

        /** {@code password}: the store's, handed over as PGPASSWORD, never on the command line. */
        static Child start(List<String> args, String password) throws IOException {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(
                    List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
            for (String property : List.of("labloop.home", "org.sqlite.lib.path", "org.sqlite.lib.name")) {
                String value = System.getProperty(property);
                if (value != null && !value.isEmpty()) {
                    cmd.add("-D" + property + "=" + value);
                }
            }
            cmd.add(Main.class.getName());
            cmd.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (password != null) {
                builder.environment().put("PGPASSWORD", password);
            }
            return new Child(builder.start());
        }

        private void read() {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                synchronized (lines) {
                    lines.add("(output lost: " + e.getMessage() + ")");
                }
            }
        }

        /** Waits until a line starting with {@code prefix} appears; false if the process ended first. */
        boolean awaitLine(String prefix) throws InterruptedException {
            synchronized (lines) {
                while (true) {
                    if (lines.stream().anyMatch(l -> l.startsWith(prefix))) {
                        return true;
                    }
                    if (!process.isAlive()) {
                        return false;
                    }
                    lines.wait(50);
                }
            }
        }

        /**
         * Waits, polling every few milliseconds (a random 1 to 4), until {@code reached} holds: true then, false if the
         * process ended first.
         */
        boolean runsUntil(java.util.function.BooleanSupplier reached, SplittableRandom random)
                throws InterruptedException {
            while (process.isAlive()) {
                if (reached.getAsBoolean()) {
                    return true;
                }
                process.waitFor(1 + random.nextInt(4), TimeUnit.MILLISECONDS);
            }
            return false;
        }

        /** SIGKILL: no shutdown hooks, no finally blocks, nothing flushed. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        int waitFor() throws InterruptedException {
            return process.waitFor();
        }

        long pid() {
            return process.pid();
        }

        String output() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }
}

package org.labloop.fuzz;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.labloop.core.LabLoopException;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.lab.CampaignRunner;
import org.labloop.lab.Lab;
import org.labloop.store.SqliteEventLog;

/**
 * Feeds LabLoop bad input at random, seeded, and checks that it never crashes: mutated copies of the example campaign,
 * workcell and protocol files go through the real loader and checks ({@code labloop run} up to the point where it
 * would write); damaged copies of a real store (made once by a short demo run) go through the real read commands
 * ({@code status}, {@code export}, {@code verify}, and sometimes {@code run}) in this process.
 *
 * <p>A case passes when it is accepted, or rejected with a LabLoop message and a non-zero exit code. It fails on an
 * unexpected exception, an internal error or stack trace, a failure without a message, a read command that changed a
 * file, a rejected {@code run} that changed the store, or a command that showed data differing from the original
 * although the damage was not a forged hash chain. Case {@code n} of seed {@code s} is the same on every machine.
 */
public final class Fuzzer {
    /** What to mutate. */
    public enum Target {
        yaml,
        db,
        all
    }

    /**
     * @param examples folder holding campaign.yaml, workcell.yaml and protocol.yaml to mutate
     * @param workBase where the fuzzer makes its temporary folder (tmpfs is fastest)
     * @param onlyCase when not null, run only this case (to reproduce a failure)
     * @param progress where to report progress, or null
     */
    public record Options(
            long seed, int cases, Target target, Long onlyCase, Path examples, Path workBase, PrintWriter progress) {}

    private static final String[] FILES = {"campaign.yaml", "workcell.yaml", "protocol.yaml"};
    private static final int RUN_EVERY = 12;

    private final CommandLineRunner cli;
    private Path work;
    private byte[][] originals;
    private CampaignRunner runner;
    private Path intact;
    private String intactHash;
    private String intactExport;
    private Path shortCampaign;
    private final Map<StoreMutator.Baseline, Path> baselines = new EnumMap<>(StoreMutator.Baseline.class);
    private final Map<StoreMutator.Baseline, List<CommandLineRunner.Result>> expected =
            new EnumMap<>(StoreMutator.Baseline.class);
    private StoreMutator.Context context;
    private PrintWriter transcript;

    public Fuzzer(CommandLineRunner cli) {
        this.cli = cli;
    }

    public FuzzReport run(Options o) {
        FuzzReport report = new FuzzReport(o.seed());
        long t0 = System.nanoTime();
        try {
            work = Files.createTempDirectory(o.workBase(), "labloop-fuzz-");
        } catch (IOException e) {
            throw new LabLoopException("cannot make a work folder in " + o.workBase() + ": " + e.getMessage(), e);
        }
        transcript = o.onlyCase() != null ? o.progress() : null;
        try {
            String note = setUp(o);
            long t1 = System.nanoTime();
            long first = o.onlyCase() == null ? 0 : o.onlyCase();
            long end = o.onlyCase() == null ? o.cases() : o.onlyCase() + 1;
            for (long n = first; n < end; n++) {
                report.add(runCase(o, n));
                if (o.progress() != null && o.onlyCase() == null && (n + 1) % 1000 == 0) {
                    o.progress()
                            .printf(
                                    "  %d cases, %d uncaught, %.0f s%n",
                                    n + 1, report.count(Outcome.UNCAUGHT), (System.nanoTime() - t1) / 1e9);
                    o.progress().flush();
                }
            }
            String after = intact == null ? null : hashTree(intact);
            if (intact != null && !after.equals(intactHash)) {
                report.add(new CaseResult(
                        -1,
                        "yaml",
                        "run-rejected",
                        Outcome.UNCAUGHT,
                        "a rejected `labloop run` modified the intact store " + intact,
                        0));
            }
            if (intactExport != null) {
                String again = exportCsv(intact);
                if (!intactExport.equals(again)) {
                    report.add(new CaseResult(
                            -1,
                            "yaml",
                            "run-rejected",
                            Outcome.UNCAUGHT,
                            "the export of the intact store changed after failed commands",
                            0));
                }
            }
            report.timings((t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9, note);
            return report;
        } finally {
            deleteTree(work);
        }
    }

    // ---------------------------------------------------------------- setup

    private String setUp(Options o) {
        originals = new byte[FILES.length][];
        for (int i = 0; i < FILES.length; i++) {
            Path f = o.examples().resolve(FILES[i]);
            try {
                originals[i] = Files.readAllBytes(f);
            } catch (IOException e) {
                throw new LabLoopException("fuzz: cannot read the example file " + f + ": " + e.getMessage(), e);
            }
        }
        runner = new CampaignRunner(new Lab());
        if (o.target() == Target.yaml) {
            return "example files only";
        }
        long t = System.nanoTime();
        // A short demo run: the example campaign with a budget of 4, run once; every store case starts from a copy.
        Path shortDir = work.resolve("short");
        String campaign = new String(originals[0], StandardCharsets.UTF_8)
                .replaceAll("(?m)^budget:\\s*\\d+", "budget: 4")
                .replaceAll("(?m)^batch_size:\\s*\\d+", "batch_size: 2");
        write(shortDir.resolve(FILES[0]), campaign.getBytes(StandardCharsets.UTF_8));
        write(shortDir.resolve(FILES[1]), originals[1]);
        write(shortDir.resolve(FILES[2]), originals[2]);
        shortCampaign = shortDir.resolve(FILES[0]);
        Path plain = work.resolve("baseline-plain");
        CommandLineRunner.Result demo =
                cli.run("run", shortCampaign.toString(), "--data", plain.toString(), "--no-progress");
        if (demo.code() != 0) {
            throw new LabLoopException("fuzz: the short demo run failed (exit " + demo.code() + "): " + demo.err());
        }
        long events;
        String campaignId;
        try (SqliteEventLog log = SqliteEventLog.openReadOnly(plain)) {
            campaignId = log.campaignIds().get(0);
            events = log.readAll(campaignId).size();
        }
        baselines.put(StoreMutator.Baseline.PLAIN, plain);
        baselines.put(StoreMutator.Baseline.WAL, makeWalBaseline(plain, campaignId));
        context = new StoreMutator.Context(makeForeignDb(), campaignId);
        for (StoreMutator.Baseline b : StoreMutator.Baseline.values()) {
            expected.put(b, readOutputs(baselines.get(b), campaignId));
        }
        intact = work.resolve("intact");
        copyTree(plain, intact);
        intactHash = hashTree(intact);
        intactExport = exportCsv(intact);
        return String.format(
                "short demo run: 4 experiments, %d events, %d-byte store, %.1f s",
                events, size(plain.resolve(StoreMutator.DB)), (System.nanoTime() - t) / 1e9);
    }

    /** A copy of the store with a second campaign committed but still in the write-ahead log. */
    private Path makeWalBaseline(Path plain, String campaignId) {
        Path live = work.resolve("wal-live");
        Path copy = work.resolve("baseline-wal");
        copyTree(plain, live);
        try (SqliteEventLog log = SqliteEventLog.open(live)) {
            Event first = log.readAll(campaignId).get(0);
            EventBody.CampaignCreated created = (EventBody.CampaignCreated) first.body();
            String id = log.newCampaignId("wal tail");
            log.append(id, Instant.EPOCH, "user:fuzz", created);
            log.append(id, Instant.EPOCH, "engine", new EventBody.CampaignStarted("virtual"));
            log.append(id, Instant.EPOCH, "user:fuzz", new EventBody.CampaignPaused("fuzz", false));
            // copied while the connection is open: the log has not been checkpointed into the main file
            copyTree(live, copy);
            Files.deleteIfExists(copy.resolve(StoreMutator.DB + "-shm"));
        } catch (IOException e) {
            throw new LabLoopException("fuzz: cannot make the WAL baseline: " + e.getMessage(), e);
        }
        if (size(copy.resolve(StoreMutator.DB + "-wal")) == 0) {
            throw new LabLoopException("fuzz: the WAL baseline has an empty write-ahead log");
        }
        return copy;
    }

    private Path makeForeignDb() {
        Path f = work.resolve("foreign").resolve(StoreMutator.DB);
        try {
            Files.createDirectories(f.getParent());
        } catch (IOException e) {
            throw new LabLoopException("fuzz: " + e.getMessage(), e);
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + f);
                Statement st = db.createStatement()) {
            st.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
            st.execute("INSERT INTO notes (text) VALUES ('someone else''s database')");
        } catch (SQLException e) {
            throw new LabLoopException("fuzz: cannot make a foreign database: " + e.getMessage(), e);
        }
        return f;
    }

    /** What the read commands print on an undamaged baseline: the reference every case is compared with. */
    private List<CommandLineRunner.Result> readOutputs(Path data, String campaignId) {
        List<CommandLineRunner.Result> out = new ArrayList<>();
        for (String[] args : readCommands(campaignId)) {
            CommandLineRunner.Result r = cli.run(withData(args, data));
            if (commandProblem(r, true) != null) {
                throw new LabLoopException("fuzz: baseline command failed: " + String.join(" ", args) + ": " + r.err());
            }
            out.add(r);
        }
        return out;
    }

    /**
     * The read commands run on every store case. The first three show the whole store; the others only the demo
     * campaign, which no operator on the WAL baseline's log touches.
     */
    private static List<String[]> readCommands(String campaignId) {
        return List.of(
                new String[] {"status"},
                new String[] {"verify"},
                new String[] {"export", "--format", "csv"},
                new String[] {"export", campaignId, "--format", "csv"},
                new String[] {"export", campaignId, "--format", "json"},
                new String[] {"status", campaignId});
    }

    private String exportCsv(Path data) {
        return cli.run("export", context.campaignId(), "--format", "csv", "--data", data.toString())
                .out();
    }

    // ---------------------------------------------------------------- cases

    private CaseResult runCase(Options o, long n) {
        Random r = new Random(mix(o.seed(), n));
        boolean yaml = o.target() == Target.yaml || (o.target() == Target.all && n % 2 == 0);
        long t = System.nanoTime();
        Path dir = work.resolve("case");
        deleteTree(dir);
        Result res;
        try {
            res = yaml ? yamlCase(r, dir) : storeCase(r, dir);
        } catch (Throwable e) { // the fuzzer's own set-up of a case must not hide as a pass either
            res = new Result("setup", Outcome.UNCAUGHT, "the fuzzer failed to set up the case: " + trace(e));
        }
        return new CaseResult(n, yaml ? "yaml" : "db", res.mutation, res.outcome, res.detail, System.nanoTime() - t);
    }

    private record Result(String mutation, Outcome outcome, String detail) {}

    private Result yamlCase(Random r, Path dir) {
        int which = r.nextInt(FILES.length);
        byte[] bytes = originals[which];
        int edits = 1 + r.nextInt(3);
        String first = null;
        for (int i = 0; i < edits; i++) {
            YamlMutator.Operator op = YamlMutator.OPERATORS.get(r.nextInt(YamlMutator.OPERATORS.size()));
            first = first == null ? op.name() : first;
            bytes = op.apply().apply(r, bytes);
        }
        for (int i = 0; i < FILES.length; i++) {
            write(dir.resolve(FILES[i]), i == which ? bytes : originals[i]);
        }
        Path campaign = dir.resolve(FILES[0]);
        Outcome outcome;
        String detail = "";
        try {
            runner.prepare(campaign, null).requireNew(); // as a new campaign from these files would be
            outcome = Outcome.ACCEPTED;
        } catch (LabLoopException e) {
            log(
                    first,
                    new String[] {"(load " + FILES[which] + ")"},
                    new CommandLineRunner.Result(1, "", e.getMessage()));
            String problem = messageProblem(e.getMessage());
            outcome = problem == null ? Outcome.REJECTED : Outcome.UNCAUGHT;
            detail = problem == null ? "" : problem + "\n" + trace(e);
        } catch (Throwable e) {
            outcome = Outcome.UNCAUGHT;
            detail = FILES[which] + " mutated; " + trace(e);
        }
        if (outcome == Outcome.REJECTED && r.nextInt(RUN_EVERY) == 0 && intact != null) {
            // the same file through `labloop run` against an intact store: refused, store untouched
            CommandLineRunner.Result run =
                    cli.run("run", campaign.toString(), "--data", intact.toString(), "--no-progress");
            String problem = commandProblem(run, false);
            if (problem == null && run.code() == 0) {
                problem = "`labloop run` accepted a file the loader rejected";
            }
            if (problem == null && !hashTree(intact).equals(intactHash)) {
                problem = "a rejected `labloop run` modified the store";
            }
            if (problem != null) {
                return new Result(first, Outcome.UNCAUGHT, FILES[which] + " mutated; run: " + problem);
            }
        }
        return new Result(first, outcome, outcome == Outcome.UNCAUGHT ? FILES[which] + " mutated; " + detail : detail);
    }

    private Result storeCase(Random r, Path dir) throws Exception {
        StoreMutator.Operator op = StoreMutator.OPERATORS.get(r.nextInt(StoreMutator.OPERATORS.size()));
        Path data = dir.resolve("data");
        copyTree(baselines.get(op.baseline()), data);
        Path arg = op.apply().apply(r, data, context);
        List<String[]> commands = readCommands(context.campaignId());
        List<CommandLineRunner.Result> reference = expected.get(op.baseline());
        boolean anyRejected = false;
        for (int i = 0; i < commands.size(); i++) {
            String[] args = commands.get(i);
            String before = hashTree(data);
            CommandLineRunner.Result res = cli.run(withData(args, arg));
            log(op.name(), args, res);
            String problem = commandProblem(res, true);
            if (problem == null && !hashTree(data).equals(before)) {
                problem = "the read command modified the data directory";
            }
            // Damage must not change what is shown: a command either fails or shows the original. Exceptions: a
            // forged chain or a cut tail (a log that still proves intact), and see Operator.strictStore.
            boolean strict = !op.verifies() && (op.strictStore() || i >= 3);
            if (problem == null
                    && strict
                    && res.code() == 0
                    && reference.get(i).code() == 0
                    && !res.out().equals(reference.get(i).out())) {
                problem = "showed data that differs from the original, without an error";
            }
            if (problem != null) {
                return new Result(op.name(), Outcome.UNCAUGHT, "labloop " + String.join(" ", args) + ": " + problem);
            }
            anyRejected |= res.code() != 0 && res.code() != reference.get(i).code();
        }
        if (r.nextInt(RUN_EVERY) == 0) {
            boolean walBefore = size(data.resolve(StoreMutator.DB + "-wal")) > 0;
            String before = hashFile(data.resolve(StoreMutator.DB));
            CommandLineRunner.Result res =
                    cli.run("run", shortCampaign.toString(), "--data", arg.toString(), "--no-progress");
            log(op.name(), new String[] {"run", shortCampaign.toString()}, res);
            String problem = commandProblem(res, true);
            if (problem == null
                    && res.code() != 0
                    && !walBefore
                    && !hashFile(data.resolve(StoreMutator.DB)).equals(before)) {
                problem = "a rejected run modified " + StoreMutator.DB;
            }
            if (problem != null) {
                return new Result(op.name(), Outcome.UNCAUGHT, "labloop run: " + problem);
            }
            anyRejected |= res.code() != 0;
        }
        return new Result(op.name(), anyRejected ? Outcome.REJECTED : Outcome.ACCEPTED, "");
    }

    /** What is wrong with how a command ended, or null when it succeeded or failed properly. */
    private static String commandProblem(CommandLineRunner.Result r, boolean mustNameStore) {
        String all = r.out() + r.err();
        if (r.code() == 70 || all.contains("internal error")) {
            return "internal error (exit " + r.code() + "):\n" + r.err();
        }
        if (all.contains("\tat org.") || all.contains("\tat java.") || all.contains("Exception in thread")) {
            return "printed a stack trace:\n" + r.err();
        }
        if (r.code() != 0) {
            String m = r.err().strip();
            if (m.length() < 15) {
                return "failed (exit " + r.code() + ") without a message";
            }
            if (mustNameStore && !all.contains(StoreMutator.DB) && !all.contains("labloop-fuzz-")) {
                return "the error does not name the file or folder: " + m;
            }
        }
        return null;
    }

    private static String messageProblem(String message) {
        if (message == null || message.isBlank()) {
            return "rejected without a message";
        }
        if (message.contains("internal error")) {
            return "internal error: " + message;
        }
        return null;
    }

    // ---------------------------------------------------------------- helpers

    /** When replaying one case, shows each command's exit code and first lines of error. */
    private void log(String mutation, String[] args, CommandLineRunner.Result r) {
        if (transcript != null) {
            transcript.printf("  [%s] labloop %s -> exit %d%n", mutation, String.join(" ", args), r.code());
            r.out().lines().limit(4).forEach(l -> transcript.println("    | " + l));
            r.err().lines().limit(6).forEach(l -> transcript.println("      " + l));
        }
    }

    private static String[] withData(String[] args, Path data) {
        String[] out = java.util.Arrays.copyOf(args, args.length + 2);
        out[args.length] = "--data";
        out[args.length + 1] = data.toString();
        return out;
    }

    /** A seed per case from the run's seed and the case number (SplitMix64), so any case replays alone. */
    static long mix(long seed, long n) {
        long z = seed + (n + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static String trace(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    private static void write(Path f, byte[] bytes) {
        try {
            Files.createDirectories(f.getParent());
            Files.write(f, bytes);
        } catch (IOException e) {
            throw new LabLoopException("fuzz: cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    private static long size(Path f) {
        try {
            return Files.isRegularFile(f) ? Files.size(f) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** SHA-256 over the names and contents of the files in a folder, ignoring SQLite's shared-memory index. */
    private static String hashTree(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return hashFile(dir);
        }
        try (var files = Files.list(dir)) {
            StringBuilder sb = new StringBuilder();
            files.sorted().forEach(f -> {
                String name = f.getFileName().toString();
                if (name.endsWith("-shm") || (name.endsWith("-wal") && size(f) == 0)) {
                    return; // a read-only open may leave an empty log and an index behind; neither holds data
                }
                sb.append(name).append('=').append(hashFile(f)).append('\n');
            });
            return sb.toString();
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    private static String hashFile(Path f) {
        try {
            if (Files.isSymbolicLink(f)) {
                return "link:" + Files.readSymbolicLink(f);
            }
            if (Files.isDirectory(f)) {
                return "dir";
            }
            if (!Files.isRegularFile(f)) {
                return Files.exists(f) ? "special" : "missing";
            }
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(Files.readAllBytes(f)));
        } catch (IOException | NoSuchAlgorithmException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    private static void copyTree(Path from, Path to) {
        try {
            Files.createDirectories(to);
            try (var files = Files.list(from)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                        Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            throw new LabLoopException("fuzz: cannot copy " + from + ": " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new LabLoopException("fuzz: cannot clean up " + dir + ": " + e.getMessage(), e);
        }
    }
}

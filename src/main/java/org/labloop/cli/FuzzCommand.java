package org.labloop.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.labloop.core.InvalidInputException;
import org.labloop.fuzz.CommandLineRunner;
import org.labloop.fuzz.FuzzReport;
import org.labloop.fuzz.Fuzzer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code labloop fuzz}: mutates the example files and copies of a real store at random (seeded) and runs the real
 * loader and read commands on each case; exits 1 if any case crashed.
 */
@Command(
        name = "fuzz",
        mixinStandardHelpOptions = true,
        description = {
            "Feed LabLoop bad input at random (seeded): mutated campaign, workcell and protocol files, and damaged"
                    + " copies of a real store. Every case must be accepted or rejected with a message.",
            "Exit 0 when no case crashed, 1 otherwise (each failure is printed with the command that replays it)."
        })
final class FuzzCommand implements Callable<Integer> {
    static final int FAILED = 1;

    @Option(names = "--cases", paramLabel = "N", description = "Number of cases (default: ${DEFAULT-VALUE}).")
    int cases = 1000;

    @Option(names = "--seed", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(
            names = "--target",
            paramLabel = "yaml|db|all",
            description =
                    "What to mutate: the YAML files, the store, or both, alternating (default: ${DEFAULT-VALUE}).")
    Fuzzer.Target target = Fuzzer.Target.all;

    @Option(names = "--case", paramLabel = "N", description = "Run only case N of this seed and target (to replay it).")
    Long onlyCase;

    @Option(
            names = "--examples",
            paramLabel = "DIR",
            description = "Folder with campaign.yaml, workcell.yaml, protocol.yaml to mutate (default: examples/snar).")
    Path examples;

    @Option(
            names = "--work",
            paramLabel = "DIR",
            description = "Where to make the temporary work folder (default: /dev/shm when writable, else the system"
                    + " temporary folder).")
    Path workBase;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (cases < 0) {
            throw InvalidInputException.of("--cases", "must be 0 or more, got " + cases, "pass --cases 10000");
        }
        Path ex = examples != null ? examples : DemoCommand.demoFile().getParent();
        Path base = workBase != null ? workBase : defaultWorkBase();
        if (!Files.isDirectory(base)) {
            throw InvalidInputException.of(base.toString(), "not a folder", "pass --work an existing folder");
        }
        out.printf(
                "Fuzzing %s with seed %d: %s in %s%n",
                target == Fuzzer.Target.all ? "the YAML files and the store" : target,
                seed,
                onlyCase == null ? cases + " cases" : "case " + onlyCase,
                base);
        out.flush();
        FuzzReport report = new Fuzzer(FuzzCommand::inProcess)
                .run(new Fuzzer.Options(seed, cases, target, onlyCase, ex, base, out));
        report.print(out, "labloop fuzz --target " + target);
        out.flush();
        return report.passed() ? 0 : FAILED;
    }

    /** One labloop command in this process, with its own output buffers. */
    static CommandLineRunner.Result inProcess(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CommandLineRunner.Result(code, out.toString(), err.toString());
    }

    private static Path defaultWorkBase() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }
}

package org.labloop.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.labloop.api.LoadTest;
import org.labloop.core.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code labloop loadtest}: a bounded load test of the server on loopback (see docs/benchmarks.md). */
@Command(
        name = "loadtest",
        mixinStandardHelpOptions = true,
        description = "Load-test 'labloop serve' on 127.0.0.1: SSE clients plus read requests while the demo runs.")
final class LoadTestCommand implements Callable<Integer> {
    @Option(names = "--clients", paramLabel = "N", description = "Concurrent SSE clients (default: 200).")
    int clients = 200;

    @Option(names = "--rps", paramLabel = "N", description = "Read requests per second (default: 500).")
    int rps = 500;

    @Option(names = "--seconds", paramLabel = "N", description = "Duration, at most 600 (default: 60).")
    int seconds = 60;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            description = "Seconds of the same load before measuring, to let the JIT compile (default: 10).")
    int warmup = 10;

    @Option(
            names = "--pace",
            paramLabel = "X",
            description = "Pace of the demo campaign (default: 200, so it outlasts warm-up and a one-minute test).")
    double pace = 200;

    @Option(names = "--data", paramLabel = "DIR", description = "Store to use (default: a fresh temporary one).")
    Path data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (clients < 0
                || clients > 5000
                || rps < 1
                || rps > 20000
                || seconds < 1
                || seconds > 600
                || warmup < 0
                || warmup > 120
                || pace <= 0) {
            throw InvalidInputException.of(
                    "loadtest", "options out of range", "clients 0-5000, rps 1-20000, seconds 1-600, pace above 0");
        }
        String home = System.getProperty("labloop.home");
        Path examples = (home == null ? Path.of("") : Path.of(home)).resolve("examples");
        if (!Files.isDirectory(examples)) {
            throw InvalidInputException.of(
                    examples.toString(), "the examples are missing", "run it from a LabLoop checkout");
        }
        return LoadTest.run(
                new LoadTest.Settings(clients, rps, seconds, warmup, pace, data),
                examples,
                spec.commandLine().getOut());
    }
}

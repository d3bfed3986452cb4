package org.labloop.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.labloop.core.InvalidInputException;
import org.labloop.lab.Lab;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code labloop demo}: the SnAr example campaign on a simulated workcell, in virtual time. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run the SnAr demo campaign (examples/snar) on simulated devices in virtual time.")
final class DemoCommand implements Callable<Integer> {
    static final Path DEMO = Path.of("examples", "snar", "campaign.yaml");

    @Mixin
    DataOption data;

    @Option(names = "--seed", paramLabel = "N", description = "Seed to use instead of the example's.")
    Long seed;

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return RunCommand.runFile(
                new Lab(),
                demoFile(),
                data.location(),
                seed,
                !noProgress,
                spec.commandLine().getOut());
    }

    /** The demo file, found beside the launcher ({@code labloop.home}) or in the working directory. */
    static Path demoFile() {
        String home = System.getProperty("labloop.home");
        Path file = home == null ? DEMO : Path.of(home).resolve(DEMO);
        if (!Files.isRegularFile(file)) {
            throw InvalidInputException.of(
                    file.toString(), "the demo campaign is missing", "run ./labloop demo from a LabLoop checkout");
        }
        return file;
    }
}

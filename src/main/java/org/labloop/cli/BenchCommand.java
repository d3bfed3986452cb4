package org.labloop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code labloop bench ...}: benchmarks. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Run a benchmark.",
        subcommands = {BenchScheduleCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

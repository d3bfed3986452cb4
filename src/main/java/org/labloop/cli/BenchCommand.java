package org.labloop.cli;

import picocli.CommandLine.Command;

/** {@code labloop bench ...}: benchmarks whose output is what we judge LabLoop by. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks: planners on lookup tables and on the SnAr model, the scheduler, the engine.",
        subcommands = {
            BenchOptimizeCommand.class,
            BenchSnarCommand.class,
            BenchPlannerCommand.class,
            BenchScheduleCommand.class
        })
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

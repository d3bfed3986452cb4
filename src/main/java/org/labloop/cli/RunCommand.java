package org.labloop.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.labloop.campaign.CampaignState;
import org.labloop.core.InvalidInputException;
import org.labloop.engine.EngineListener;
import org.labloop.lab.CampaignRunner;
import org.labloop.lab.Lab;
import org.labloop.lab.LabStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labloop run CAMPAIGN.yaml}: validates, creates and runs a campaign. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a campaign file to the end of its budget.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CAMPAIGN.yaml", description = "The campaign file.")
    Path campaign;

    @Mixin
    DataOption data;

    @Option(names = "--seed", paramLabel = "N", description = "Seed to use instead of the file's.")
    Long seed;

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return runFile(
                new Lab(),
                campaign,
                data.resolve(),
                seed,
                !noProgress,
                spec.commandLine().getOut());
    }

    @Option(names = "--new", description = "Start a new campaign even if an unfinished one from the same files exists.")
    boolean forceNew;

    static int runFile(Lab lab, Path file, Path dataDir, Long seed, boolean progress, PrintWriter out) {
        return runFile(lab, file, dataDir, seed, progress, false, out);
    }

    static int runFile(
            Lab lab, Path file, Path dataDir, Long seed, boolean progress, boolean forceNew, PrintWriter out) {
        CampaignRunner runner = new CampaignRunner(lab);
        CampaignRunner.Prepared prepared = runner.prepare(file, seed);
        try (LabStore store = LabStore.open(dataDir)) {
            Optional<String> twin = forceNew ? Optional.empty() : runner.unfinishedTwin(prepared, store.log());
            String id;
            if (twin.isPresent()) {
                id = twin.get();
                CampaignState twinState = Lab.load(store.log(), id);
                if (twinState.status() == org.labloop.campaign.CampaignStatus.PAUSED) {
                    throw InvalidInputException.of(
                            "campaign " + id + " in " + store.log().location(),
                            "this campaign is paused (by " + twinState.pausedBy() + ")",
                            "continue it with: labloop resume " + id + ", or start another with --new");
                }
                out.println("Resuming unfinished campaign " + id + " (same files and seed; --new starts another).");
            } else {
                id = runner.create(prepared, store.log(), actor());
            }
            return drive(runner, prepared, store, id, progress, out, null);
        }
    }

    static String actor() {
        return "user:" + System.getProperty("user.name", "unknown");
    }

    /** Runs campaign {@code id} with a progress bar, then prints the summary. */
    static int drive(
            CampaignRunner runner,
            CampaignRunner.Prepared prepared,
            LabStore store,
            String id,
            boolean progress,
            PrintWriter out,
            String resumeReason) {
        out.printf(
                "Running campaign %s: %d experiments, %d at a time, %s.%n",
                id,
                prepared.spec().budget(),
                prepared.spec().batchSize(),
                runner.simulated(prepared.spec()) ? "simulated devices in virtual time" : "real devices");
        out.flush();
        long t0 = System.nanoTime();
        ProgressBar bar = progress ? new ProgressBar(out, prepared.spec().budget()) : null;
        CampaignState state;
        try {
            state = runner.run(prepared, store, id, bar == null ? EngineListener.NONE : bar, actor(), engine -> {
                if (resumeReason != null) {
                    engine.resume(actor(), resumeReason);
                }
            });
        } finally {
            if (bar != null) {
                bar.finish();
            }
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        new Summary(prepared.spec(), state).print(out);
        Path dataDir = store.dir();
        out.printf(
                "Wall time %.1f s. Data: %s (campaign %s, %d events, hash-chained).%n",
                wall, dataDir.resolve("labloop.db"), state.id(), state.lastSeq());
        out.printf(
                "Export it: ./labloop export %s --format csv%s%n",
                state.id(), dataDir.equals(Path.of("labloop-data")) ? "" : " --data " + dataDir);
        return 0;
    }
}

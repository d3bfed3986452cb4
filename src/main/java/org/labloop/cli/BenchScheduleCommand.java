package org.labloop.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.labloop.core.InvalidInputException;
import org.labloop.event.EventCodec;
import org.labloop.schedule.FirstComeScheduler;
import org.labloop.schedule.HeuristicScheduler;
import org.labloop.schedule.Problem;
import org.labloop.schedule.Scenarios;
import org.labloop.schedule.Simulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code labloop bench schedule}: the scheduler against first-come on generated scenarios, in virtual time. */
@Command(
        name = "schedule",
        mixinStandardHelpOptions = true,
        description = {
            "Schedule generated scenarios with the heuristic scheduler and with first-come placement, in virtual"
                    + " time, and report makespan against a lower bound, utilisation, window violations and"
                    + " decision time.",
            "Scenarios: a) 96 experiments, 6 devices, one arm, 12-min HPLC; b) as a) with 10-min analysis windows;"
                    + " c) 1,000 experiments, 3 campaigns, 20 devices; d) 10,000 experiments, 50 devices."
        })
final class BenchScheduleCommand implements Callable<Integer> {
    @Option(
            names = "--scenario",
            paramLabel = "NAME",
            description = "Run only this scenario (a, b, c or d); default: all.")
    String scenario;

    @Option(names = "--json", paramLabel = "OUT", description = "Also write the figures as JSON to this file.")
    Path json;

    @Option(
            names = "--force",
            description = "Replace the file given to --json even when it is not an earlier benchmark report.")
    boolean force;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description = "Seed of the simulated durations (default ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(
            names = "--engine",
            paramLabel = "N",
            description = "Also time the real engine loop on an N-experiment campaign (default: 5,000 when running"
                    + " every scenario, otherwise skipped).")
    int engineBudget;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        List<String> names = scenario == null ? Scenarios.NAMES : List.of(scenario.toLowerCase(Locale.ROOT));
        for (String n : names) {
            if (!Scenarios.NAMES.contains(n)) {
                throw InvalidInputException.of(
                        "--scenario",
                        "no scenario '" + n + "'",
                        "known scenarios: " + String.join(", ", Scenarios.NAMES));
            }
        }
        BenchReport.checkTarget(json, force);
        PrintWriter out = spec.commandLine().getOut();
        ObjectNode root = EventCodec.mapper().createObjectNode();
        ArrayNode list = root.putArray("scenarios");
        for (String n : names) {
            Problem p = Scenarios.get(n);
            out.printf("Scenario %s: %s%n", n, Scenarios.describe(n));
            out.flush();
            Simulator.Result h =
                    new Simulator(p, seed, List.of(), System::nanoTime).run(new HeuristicScheduler(p.devices()));
            Simulator.Result f =
                    new Simulator(p, seed, List.of(), System::nanoTime).run(new FirstComeScheduler(p.devices(), false));
            // The window-safe first-come holds whole chains and scans every waiting step: too slow beyond (c).
            Simulator.Result fs = p.jobs().size() > 1_000
                    ? null
                    : new Simulator(p, seed, List.of(), System::nanoTime)
                            .run(new FirstComeScheduler(p.devices(), true));
            out.printf(
                    "  %-26s %10s %8s %6s %7s %7s %8s %9s %9s%n",
                    "scheduler", "makespan", "ratio", "util", "bottl.", "windows", "unfinish", "dec.med", "dec.p99");
            for (Simulator.Result r : fs == null ? List.of(h, f) : List.of(h, f, fs)) {
                out.printf(
                        "  %-26s %8.1f m %8.3f %5.1f%% %6.1f%% %7d %8d %7.3f ms %7.3f ms%n",
                        r.scheduler(),
                        r.makespanMs() / 60_000.0,
                        r.ratio(),
                        100 * r.meanUtilisation(),
                        100 * r.maxUtilisation(),
                        r.windowViolations(),
                        r.unfinished(),
                        r.decisionMs(0.5),
                        r.decisionMs(0.99));
            }
            long tight = p.headTailBound();
            out.printf(
                    "  lower bound %.1f min (busiest capability %.1f, longest experiment %.1f); %d decisions%n",
                    p.lowerBound() / 60_000.0,
                    p.resourceBound() / 60_000.0,
                    p.chainBound() / 60_000.0,
                    h.decisionNanos().length);
            out.printf(
                    "  with heads and tails %.1f min: heuristic at %.3f of it%n%n",
                    tight / 60_000.0, (double) h.makespanMs() / tight);
            out.flush();
            ObjectNode s = list.addObject();
            s.put("name", n);
            s.put("makespan_min", round(h.makespanMs() / 60_000.0));
            s.put("lower_bound_min", round(p.lowerBound() / 60_000.0));
            s.put("ratio", round(h.ratio()));
            s.put("lower_bound_heads_tails_min", round(tight / 60_000.0));
            s.put("ratio_heads_tails", round((double) h.makespanMs() / tight));
            s.put("window_violations", h.windowViolations());
            s.put("decision_ms_median", round(h.decisionMs(0.5)));
            s.put("decision_ms_p99", round(h.decisionMs(0.99)));
            ObjectNode b = s.putObject("baseline");
            b.put("makespan_min", round(f.makespanMs() / 60_000.0));
            b.put("window_violations", f.windowViolations());
            b.put("decision_ms_median", round(f.decisionMs(0.5)));
            b.put("decision_ms_p99", round(f.decisionMs(0.99)));
            if (fs != null) {
                ObjectNode bs = s.putObject("baseline_window_safe");
                bs.put("makespan_min", round(fs.makespanMs() / 60_000.0));
                bs.put("window_violations", fs.windowViolations());
            }
            ObjectNode campaigns = s.putObject("campaign_mean_finish_min");
            Map<String, double[]> sums = new TreeMap<>();
            for (int j = 0; j < p.jobs().size(); j++) {
                double[] acc = sums.computeIfAbsent(p.jobs().get(j).campaign(), k -> new double[2]);
                acc[0] += h.jobEnds()[j] / 60_000.0;
                acc[1]++;
            }
            sums.forEach((c, acc) -> campaigns.put(c, round(acc[0] / acc[1])));
            s.put("description", Scenarios.describe(n));
            s.put("experiments", p.jobs().size());
            s.put("devices", p.devices().size());
            s.put("utilisation_mean", round(h.meanUtilisation()));
            s.put("utilisation_max", round(h.maxUtilisation()));
            s.put("unfinished", h.unfinished());
            s.put("decisions", h.decisionNanos().length);
            s.put("seed", seed);
        }
        if (scenario == null || engineBudget > 0) {
            int budget = engineBudget > 0 ? engineBudget : 5_000;
            out.printf(
                    "Engine loop: %,d-experiment SnAr campaign in virtual time, in-memory event log (median of %d timed"
                            + " runs after 2 untimed ones)%n",
                    budget, EngineThroughput.TIMED_RUNS);
            out.flush();
            engineFigures(out, root.putObject("engine"), budget, false);
            out.println("Same loop, analyses answered by a closed-form stand-in instead of the SnAr ODE model"
                    + " (the engine's own cost)");
            out.flush();
            engineFigures(out, root.putObject("engine_closed_form"), budget, true);
            out.println();
        }
        if (json != null) {
            ExportCommand.write(
                    json,
                    EventCodec.mapper()
                                    .writer()
                                    .with(SerializationFeature.INDENT_OUTPUT)
                                    .writeValueAsString(root)
                            + "\n");
            out.println("Wrote " + json);
        }
        return 0;
    }

    private static void engineFigures(PrintWriter out, ObjectNode json, int budget, boolean closedForm) {
        for (String sched : List.of("heuristic", "first-come")) {
            EngineThroughput.Figures f = EngineThroughput.measure(budget, sched, closedForm);
            out.printf(
                    "  %-12s %,d events in %.2f s: %,.0f events/s (%.2f s CPU on the loop thread: %,.0f events/s)%n",
                    sched, f.events(), f.seconds(), f.perSecond(), f.cpuSeconds(), f.perCpuSecond());
            out.flush();
            ObjectNode e = json.putObject(sched);
            e.put("events", f.events());
            e.put("seconds", round(f.seconds()));
            e.put("events_per_second", Math.round(f.perSecond()));
            e.put("loop_thread_cpu_seconds", round(f.cpuSeconds()));
            e.put("events_per_loop_thread_cpu_second", Math.round(f.perCpuSecond()));
            e.put("experiments", f.experiments());
        }
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}

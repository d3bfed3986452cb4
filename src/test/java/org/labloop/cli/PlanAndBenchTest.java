package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.event.EventCodec;

class PlanAndBenchTest {
    @TempDir
    Path tmp;

    @Test
    void plan_printsTheExampleCampaignsSchedule_withoutCreatingAStore() throws Exception {
        Path cwdStore = Path.of("labloop-data");
        boolean storeBefore = Files.exists(cwdStore);
        CliTest.Result r = CliTest.labloop("plan", "examples/snar/campaign.yaml", "--steps", "3");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Plan for campaign snar-demo: 40 experiments")
                .contains("Expected makespan:")
                .contains("hplc")
                .contains("Conflicts: none.")
                .contains("E0001 dispense")
                .contains("more (--steps 0 shows all)");
        assertThat(Files.exists(cwdStore)).isEqualTo(storeBefore);

        // A --data copied from a run command is taken, said to be unused, and creates nothing.
        Path data = tmp.resolve("data");
        CliTest.Result withData =
                CliTest.labloop("plan", "examples/snar/campaign.yaml", "--steps", "1", "--data", data.toString());
        assertThat(withData.code()).as(withData.err()).isZero();
        assertThat(withData.err()).contains("plan reads and writes no store");
        assertThat(withData.out())
                .isEqualTo(CliTest.labloop("plan", "examples/snar/campaign.yaml", "--steps", "1")
                        .out());
        assertThat(data).doesNotExist();
    }

    /** Busy minutes of the HPLC in a plan's utilisation table. */
    private static double hplcBusy(String plan) {
        var m = java.util.regex.Pattern.compile("(?m)^hplc\\s+\\d+\\s+\\d+\\s+([0-9.]+)")
                .matcher(plan);
        assertThat(m.find()).as(plan).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void plan_chargesTheChangeoverOfADeviceWhoseSetupChanges() throws Exception {
        Path dir = tmp.resolve("changeover");
        Files.createDirectories(dir);
        Path example = Path.of("examples/snar");
        // Sobol points: every experiment has a temperature of its own.
        String campaign = Files.readString(example.resolve("campaign.yaml"));
        assertThat(campaign).contains("planner: {type: bayesian, avoid_repeats: true, log_outcomes: true}");
        Files.writeString(
                dir.resolve("campaign.yaml"),
                campaign.replace(
                        "planner: {type: bayesian, avoid_repeats: true, log_outcomes: true}", "planner: sobol"));
        Path plainDir = tmp.resolve("plain");
        Files.createDirectories(plainDir);
        Files.writeString(
                plainDir.resolve("campaign.yaml"),
                campaign.replace(
                        "planner: {type: bayesian, avoid_repeats: true, log_outcomes: true}", "planner: sobol"));
        Files.copy(example.resolve("workcell.yaml"), plainDir.resolve("workcell.yaml"));
        Files.copy(example.resolve("protocol.yaml"), plainDir.resolve("protocol.yaml"));
        String workcell = Files.readString(example.resolve("workcell.yaml"));
        assertThat(workcell).contains("  hplc:\n    kind: analyzer\n");
        Files.writeString(
                dir.resolve("workcell.yaml"),
                workcell.replace(
                        "  hplc:\n    kind: analyzer\n", "  hplc:\n    kind: analyzer\n    changeover_min: 2\n"));
        String protocol = Files.readString(example.resolve("protocol.yaml"));
        assertThat(protocol).contains("    capability: analyse ");
        Files.writeString(
                dir.resolve("protocol.yaml"),
                protocol.replace("    capability: analyse ", "    setup: $temperature\n    capability: analyse "));

        CliTest.Result plain =
                CliTest.labloop("plan", plainDir.resolve("campaign.yaml").toString());
        CliTest.Result switching =
                CliTest.labloop("plan", dir.resolve("campaign.yaml").toString());
        assertThat(switching.code()).as(switching.err()).isZero();
        // 40 analyses, each of its own temperature: a 2-minute changeover before each but the first.
        assertThat(hplcBusy(switching.out()) - hplcBusy(plain.out()))
                .isCloseTo(78, org.assertj.core.api.Assertions.within(0.5));
        assertThat(switching.out()).contains("Conflicts: none.");
        // The timeline says which bars begin with a changeover, and to what setup.
        assertThat(switching.out()).containsPattern("E\\d{4} analyse \\(first 2 min changeover to \\d");
        assertThat(plain.out()).doesNotContain("changeover to");
    }

    @Test
    void reactorBlockExample_keepsEachTemperatureInItsOwnPosition_soNoReactionWaitsForAChangeover(
            @org.junit.jupiter.api.io.TempDir Path data) throws Exception {
        CliTest.Result plan = CliTest.labloop("plan", "examples/snar-block/campaign.yaml", "--steps", "0");
        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("Conflicts: none.").contains("#1 E0001 react");

        CliTest.Result run =
                CliTest.labloop("run", "examples/snar-block/campaign.yaml", "--data", data.toString(), "--no-progress");
        assertThat(run.code()).as(run.err()).isZero();
        CliTest.Result export = CliTest.labloop("export", "--data", data.toString(), "--format", "csv");
        List<String> lines = export.out().lines().toList();
        List<String> header = List.of(lines.get(0).split(","));
        int position = header.indexOf("react_position");
        int temperature = header.indexOf("temperature");
        int start = header.indexOf("react_start_min");
        int end = header.indexOf("react_end_min");
        int tau = header.indexOf("tau");
        assertThat(position).isPositive();
        java.util.Map<String, java.util.Set<String>> temperaturesByPosition = new java.util.TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",");
            temperaturesByPosition
                    .computeIfAbsent(c[position], k -> new java.util.TreeSet<>())
                    .add(c[temperature]);
            // A reaction lasts its residence time: no 10-minute changeover was needed before it.
            assertThat(Double.parseDouble(c[end]) - Double.parseDouble(c[start]))
                    .isCloseTo(Double.parseDouble(c[tau]), org.assertj.core.api.Assertions.within(0.01));
        }
        assertThat(temperaturesByPosition.values())
                .allSatisfy(t -> assertThat(t).hasSize(1));
    }

    /** A two-position block between one dispenser, one arm and one analyser; reactions of 10-30 min. */
    private static final String BLOCK_CELL = """
            workcell: blockcell
            devices:
              handler:
                kind: liquid_handler
                capabilities: [dispense]
                driver: {type: sim, durations: {dispense: {mean: 2.0, sd: 0.3}}}
              arm:
                kind: robot_arm
                capabilities: [transfer]
                driver: {type: sim, durations: {transfer: {mean: 0.5, sd: 0.05}}}
              block:
                kind: reactor
                capabilities: [react]
                capacity: 2
                driver: {type: sim, durations: {react: 1.0}}
              hplc:
                kind: analyzer
                capabilities: [analyse]
                driver: {type: sim, durations: {analyse: {mean: 1.5, sd: 0.2}}}
            """;

    /** The protocol on {@link #BLOCK_CELL}, with {@code windows} after its react and analyse steps. */
    private static String blockProtocol(String reactWindow, String analyseWindow) {
        return """
                protocol: block
                steps:
                  - {name: dispense, capability: dispense, args: {conc: $conc, equiv: $equiv}}
                  - {name: load, capability: transfer}
                  - {name: react, capability: react, args: {temperature: $temperature}, duration: $hold, \
                setup: $temperature%s}
                  - {name: unload, capability: transfer}
                  - {name: analyse, capability: analyse, measures: true%s}
                """.formatted(reactWindow, analyseWindow);
    }

    /** A 24-experiment campaign on {@link #BLOCK_CELL} running {@code protocol}. */
    private static String blockCampaign(String name, String protocol, int seed, int priority) {
        return """
                campaign: %s
                workcell: workcell.yaml
                protocol: %s
                emulator: {type: snar, variant: corrected}
                parameters:
                  tau: {type: continuous, min: 0.5, max: 2.0, unit: min}
                  hold: {type: continuous, min: 10, max: 30, unit: min}
                  equiv: {type: continuous, min: 1.0, max: 5.0}
                  conc: {type: continuous, min: 0.1, max: 0.5, unit: mol/L}
                  temperature: {type: discrete, values: [40, 80, 120], unit: degC}
                objectives:
                  sty: {direction: maximise, unit: "kg m-3 h-1"}
                  e_factor: {direction: minimise}
                budget: 24
                batch_size: 6
                planner: {type: sobol}
                seed: %d
                priority: %d
                """.formatted(name, protocol, seed, priority);
    }

    /**
     * Two windows on one chain (the reaction within 15 min of the dispense, the analysis within 4 min of the reaction)
     * on a two-position block and one analyser: when a dispense ends early, the rest of its chain is placed again, and
     * the earliest places would move the reaction, and so the analysis's deadline, earlier than the analyser is free.
     * The chain then waits the little it needs to keep both windows.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {2, 3, 5, 7, 11})
    void plan_keepsEveryWindowOfAChainPlacedAgainAfterAStepEndedEarly(int seed) throws Exception {
        Path dir = tmp.resolve("two-windows");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("workcell.yaml"), BLOCK_CELL);
        Files.writeString(
                dir.resolve("protocol.yaml"),
                blockProtocol(", within_min: 15, after: dispense", ", within_min: 4, after: react"));
        Files.writeString(dir.resolve("campaign.yaml"), blockCampaign("two-windows", "protocol.yaml", 5, 0));

        CliTest.Result r =
                CliTest.labloop("plan", dir.resolve("campaign.yaml").toString(), "--seed", Integer.toString(seed));

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Conflicts: none.");
    }

    /**
     * The urgent campaign's protocol has no windows, the other's has: the other's chains reserve the block ahead, and
     * the urgent reactions, which reserve nothing while they wait, used to wait behind every one of them (the urgent
     * campaign finished last). Waiting steps of the urgent campaign now reserve their place first.
     */
    @Test
    void plan_ofAnUrgentCampaignWithoutWindows_besideOneWithWindows_finishesTheUrgentOneFirst() throws Exception {
        Path dir = tmp.resolve("urgent-plain");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("workcell.yaml"), BLOCK_CELL);
        Files.writeString(dir.resolve("plain.yaml"), blockProtocol("", ""));
        Files.writeString(
                dir.resolve("windowed.yaml"),
                blockProtocol(", within_min: 15, after: dispense", ", within_min: 4, after: react"));
        Files.writeString(dir.resolve("hi.yaml"), blockCampaign("hi", "plain.yaml", 5, 5));
        Files.writeString(dir.resolve("lo.yaml"), blockCampaign("lo", "windowed.yaml", 9, 0));

        CliTest.Result r = CliTest.labloop(
                "plan",
                dir.resolve("hi.yaml").toString(),
                dir.resolve("lo.yaml").toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Conflicts: none.");
        assertThat(endsAt(r.out(), "hi")).isLessThan(endsAt(r.out(), "lo"));
    }

    private static double endsAt(String planOutput, String campaign) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "Plan for campaign " + campaign + ": .* ends at ([0-9.]+) min")
                .matcher(planOutput);
        assertThat(m.find()).as("the plan of campaign " + campaign).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void plan_ofTwoCampaignsSharingTheWorkcell_servesTheUrgentOneFirst() {
        CliTest.Result r = CliTest.labloop(
                "plan", "examples/snar-shared/urgent.yaml", "examples/snar-shared/background.yaml", "--steps", "2");
        assertThat(r.code()).as(r.err()).isZero();
        var ends = java.util.regex.Pattern.compile("Plan for campaign (\\S+): .*ends at ([0-9.]+) min")
                .matcher(r.out());
        java.util.Map<String, Double> end = new java.util.HashMap<>();
        while (ends.find()) {
            end.put(ends.group(1), Double.parseDouble(ends.group(2)));
        }
        assertThat(end).containsOnlyKeys("snar-urgent", "snar-background");
        assertThat(end.get("snar-urgent")).isLessThan(end.get("snar-background"));
        assertThat(r.out()).contains("Conflicts: none.").contains("snar-urgent-1/E0001 dispense");

        CliTest.Result fc = CliTest.labloop(
                "plan",
                "examples/snar-shared/urgent.yaml",
                "examples/snar-shared/background.yaml",
                "--scheduler",
                "first-come");
        assertThat(fc.code()).isEqualTo(2);
        assertThat(fc.err()).contains("heuristic");
    }

    @Test
    void plan_withFirstCome_andAnUnknownScheduler() {
        CliTest.Result fc = CliTest.labloop("plan", "examples/snar/campaign.yaml", "--scheduler", "first-come");
        assertThat(fc.code()).as(fc.err()).isZero();
        assertThat(fc.out()).contains("scheduler first-come");
        CliTest.Result bad = CliTest.labloop("plan", "examples/snar/campaign.yaml", "--scheduler", "magic");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("unknown scheduler 'magic'");
    }

    @Test
    void benchSchedule_writesTheAgreedJson() throws Exception {
        Path json = tmp.resolve("s.json");
        CliTest.Result r = CliTest.labloop("bench", "schedule", "--scenario", "b", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("heuristic").contains("first-come").contains("lower bound");
        JsonNode s =
                EventCodec.mapper().readTree(json.toFile()).get("scenarios").get(0);
        assertThat(s.get("name").asText()).isEqualTo("b");
        assertThat(s.get("window_violations").asInt()).isZero();
        assertThat(s.get("ratio").asDouble()).isLessThanOrEqualTo(1.10);
        assertThat(s.get("baseline").get("window_violations").asInt()).isPositive();
        for (String key : new String[] {"makespan_min", "lower_bound_min", "decision_ms_median", "decision_ms_p99"}) {
            assertThat(s.has(key)).as(key).isTrue();
        }
        assertThat(s.get("baseline").has("makespan_min")).isTrue();
    }
}

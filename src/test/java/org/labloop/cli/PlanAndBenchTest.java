package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
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

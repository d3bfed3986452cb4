package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.campaign.CampaignState;
import org.labloop.data.Dataset;
import org.labloop.event.EventLog;
import org.labloop.lab.Lab;

class SummaryWindowsTest {
    @TempDir
    Path tmp;

    @Test
    void bestAndParetoLines_markResultsWhoseSampleMissedItsTimeWindow() throws Exception {
        // An HPLC that fails often, with an analysis retried 20 minutes later: most samples miss their 10 min window.
        Path campaign = org.labloop.lab.ExampleCopies.snar(tmp.resolve("c"), 16);
        Path dir = campaign.getParent();
        org.labloop.lab.ExampleCopies.edit(
                dir.resolve("protocol.yaml"),
                t -> t.replace("    measures: true", "    on_failure: {retries: 4, backoff: 20}\n    measures: true"));
        org.labloop.lab.ExampleCopies.edit(
                dir.resolve("workcell.yaml"),
                t -> t.replace(
                        "        analyse: {mean: 6.0, sd: 0.3}",
                        "        analyse: {mean: 6.0, sd: 0.3}\n      options: {failure_rate: 0.6}"));
        Path data = tmp.resolve("data");
        CliTest.Result run = CliTest.labloop("run", campaign.toString(), "--data", data.toString(), "--no-progress");
        assertThat(run.code()).as(run.err()).isZero();

        CampaignState state;
        Dataset dataset;
        try (EventLog log = Lab.openReadOnly(data, true)) {
            state = Lab.loadVerified(log, Lab.pickCampaign(log, null));
            dataset = Dataset.of(state, new Lab().specOf(state));
        }
        assertThat(dataset.windowsMissed()).isPositive();
        List<String> lines = run.out().lines().toList();
        int marked = 0;
        for (String line : lines) {
            String first = line.strip().split("\\s+")[0];
            if (line.startsWith("Best ")) {
                String id = line.replaceAll(".* at (E\\d+).*", "$1");
                boolean missed = dataset.windows(state.experiments().get(id)).startsWith("missed");
                assertThat(line.contains("whose sample missed its time window: analyse "))
                        .as(line)
                        .isEqualTo(missed);
                marked += missed ? 1 : 0;
            } else if (first.matches("E\\d+") && line.startsWith("  ")) {
                boolean missed = dataset.windows(state.experiments().get(first)).startsWith("missed");
                assertThat(line.contains(first + " *")).as(line).isEqualTo(missed);
                marked += missed ? 1 : 0;
            }
        }
        assertThat(marked).as(run.out()).isPositive();
        assertThat(run.out()).contains("* the sample missed a time window");
    }
}

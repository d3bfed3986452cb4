package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.labloop.cli.CliTest.labloop;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.core.Table;
import org.labloop.data.CsvTables;
import org.labloop.lab.ExampleCopies;
import org.labloop.planner.Hypervolume;

/** The SnAr demo with targets and thresholds on its objectives, run from the command line. */
class GoalCampaignTest {
    @TempDir
    Path tmp;

    @Test
    void targetsEndTheCampaignEarly_andThresholdsGiveTheFrontsHypervolume() throws Exception {
        Path campaign = ExampleCopies.copy(
                "snar",
                tmp.resolve("campaign"),
                c -> c.replace(
                                "sty:      {direction: maximise, unit: \"kg m-3 h-1\"}",
                                "sty:      {direction: maximise, unit: \"kg m-3 h-1\", target: 10000, threshold: 2957}")
                        .replace(
                                "e_factor: {direction: minimise}",
                                "e_factor: {direction: minimise, target: 10, threshold: 10.7}"));
        Path data = tmp.resolve("data");
        CliTest.Result run = labloop("run", campaign.toString(), "--data", data.toString(), "--no-progress");
        assertThat(run.code()).as(run.err()).isZero();
        Matcher goal = Pattern.compile("completed - goal met: (E\\d{4}) reached sty >= 10000 and e_factor <= 10 after"
                        + " (\\d+) experiments")
                .matcher(run.out());
        assertThat(goal.find()).as(run.out()).isTrue();
        int experiments = Integer.parseInt(goal.group(2));
        assertThat(experiments).isLessThan(40);

        Path csv = tmp.resolve("out.csv");
        assertThat(labloop("export", "--format", "csv", "--out", csv.toString(), "--data", data.toString())
                        .code())
                .isZero();
        Table rows = CsvTables.read(csv);
        assertThat(rows.size()).isEqualTo(experiments);
        double[][] points = new double[rows.size()][];
        boolean met = false;
        for (int r = 0; r < rows.size(); r++) {
            double sty = Double.parseDouble(rows.cell(r, "sty"));
            double ef = Double.parseDouble(rows.cell(r, "e_factor"));
            points[r] = new double[] {sty, ef};
            if (rows.cell(r, "experiment_id").equals(goal.group(1))) {
                met = sty >= 10000 && ef <= 10;
            }
        }
        assertThat(met).as("the named experiment meets both targets").isTrue();
        // The front's hypervolume against the thresholds, as the summary prints it (4 significant figures or 0.1).
        double hv = Hypervolume.of(points, new double[] {2957, 10.7}, new boolean[] {false, true});
        Matcher shown = Pattern.compile("hypervolume (\\S+) against the thresholds \\(sty 2957, e_factor 10\\.7\\)")
                .matcher(run.out());
        assertThat(shown.find()).as(run.out()).isTrue();
        assertThat(Double.parseDouble(shown.group(1))).isCloseTo(hv, within(0.051));
        assertThat(hv).isPositive();
    }
}

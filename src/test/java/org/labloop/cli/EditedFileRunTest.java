package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.labloop.cli.CliTest.labloop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.lab.CampaignRunner;
import org.labloop.lab.Lab;
import org.labloop.lab.LabStore;

/** Running a campaign file again after editing it starts a new campaign, and says which unfinished one it left. */
class EditedFileRunTest {
    @TempDir
    Path tmp;

    @Test
    void runningAnEditedFile_startsANewCampaign_andNamesTheUnfinishedOneWithTheSameName() throws Exception {
        Path dir = tmp.resolve("campaign");
        Files.createDirectories(dir);
        for (String f : List.of("workcell.yaml", "protocol.yaml", "campaign.yaml")) {
            Files.copy(Path.of("examples/snar").resolve(f), dir.resolve(f));
        }
        Path file = dir.resolve("campaign.yaml");
        Path data = tmp.resolve("data");
        // A campaign created and never finished, as a kill leaves it.
        CampaignRunner runner = new CampaignRunner(new Lab());
        try (LabStore store = LabStore.open(data)) {
            runner.create(runner.prepare(file, null), store.log(), "test");
        }
        String text = Files.readString(file);
        assertThat(text).contains("budget: 40");
        Files.writeString(file, text.replace("budget: 40", "budget: 4"));

        CliTest.Result r = labloop("run", file.toString(), "--data", data.toString(), "--no-progress");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Note: campaign snar-demo-1 of the same name is unfinished")
                .contains("this run started snar-demo-2")
                .as("a command that can be pasted as it is, store included")
                .contains("labloop resume snar-demo-1 --data " + data);
    }

    @Test
    void bayesianCampaignWithTheWholeBudgetInOneBatch_isRunWithANoteThatItCannotLearn() throws Exception {
        Path file = org.labloop.lab.ExampleCopies.copy(
                "snar", tmp.resolve("one-batch"), c -> c.replace("budget: 40", "budget: 3"));

        CliTest.Result r =
                labloop("run", file.toString(), "--data", tmp.resolve("d").toString(), "--no-progress");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Note: batch_size 4 is not below the budget of 3", "Lower batch_size");
    }

    @Test
    void bayesianCampaignWhoseInitialDesignCoversTheBudget_isRunWithANoteThatTheModelNeverChooses() throws Exception {
        Path file = org.labloop.lab.ExampleCopies.copy(
                "snar",
                tmp.resolve("all-initial"),
                c -> c.replace("budget: 40", "budget: 6")
                        .replace("planner: {type: bayesian,", "planner: {type: bayesian, initial: 8,"));

        CliTest.Result r =
                labloop("run", file.toString(), "--data", tmp.resolve("d").toString(), "--no-progress");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Note: the planner's initial design (initial: 8) is not smaller than the budget of 6")
                .contains("Lower initial");
    }

    @Test
    void bayesianCampaignWhoseBudgetTheDefaultInitialDesignCovers_isRunWithTheNoteToo() throws Exception {
        Path file = org.labloop.lab.ExampleCopies.copy(
                "snar",
                tmp.resolve("default-initial"),
                c -> c.replace("budget: 40", "budget: 5").replace("batch_size: 4", "batch_size: 1"));

        CliTest.Result r =
                labloop("run", file.toString(), "--data", tmp.resolve("d").toString(), "--no-progress");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Note: the planner's initial design (initial: 5, the default) is not smaller than the budget"
                        + " of 5");
    }

    @Test
    void runningTheSameFilesAgain_afterTheyCompleted_saysANewCampaignStarts() throws Exception {
        Path file = org.labloop.lab.ExampleCopies.snar(tmp.resolve("again"), 3);
        Path data = tmp.resolve("data");
        CliTest.Result first = labloop("run", file.toString(), "--data", data.toString(), "--no-progress");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).doesNotContain("Note:");

        CliTest.Result second = labloop("run", file.toString(), "--data", data.toString(), "--no-progress");
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(second.out())
                .contains("Note: campaign snar-demo-1, from the same files and seed, is already completed")
                .contains("this run starts snar-demo-2");
    }
}

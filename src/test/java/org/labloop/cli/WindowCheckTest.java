package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A time window the scheduler could never keep for some experiment is refused before anything runs, at its line, with
 * the smallest window that would do, found by the scheduler itself (so a run is never left waiting for a start that
 * never comes).
 */
class WindowCheckTest {
    @TempDir
    Path tmp;

    /** The example campaign with its protocol and workcell texts edited. */
    private Path campaign(String protocolFrom, String protocolTo, String workcellFrom, String workcellTo)
            throws Exception {
        Path dir = tmp.resolve("campaign");
        Files.createDirectories(dir);
        Files.copy(Path.of("examples/snar/campaign.yaml"), dir.resolve("campaign.yaml"));
        String protocol = Files.readString(Path.of("examples/snar/protocol.yaml"));
        String workcell = Files.readString(Path.of("examples/snar/workcell.yaml"));
        assertThat(protocol).contains(protocolFrom);
        assertThat(workcell).contains(workcellFrom);
        Files.writeString(dir.resolve("protocol.yaml"), protocol.replace(protocolFrom, protocolTo));
        Files.writeString(dir.resolve("workcell.yaml"), workcell.replace(workcellFrom, workcellTo));
        return dir.resolve("campaign.yaml");
    }

    private static CliTest.Result plan(Path file) {
        return CliTest.labloop("plan", file.toString());
    }

    @Test
    void windowShorterThanTheTransferInBetween_isRefusedAtItsLine_withTheSmallestThatWouldDo() throws Exception {
        // unload_reactor (arm, 0.5 +- 0.05 min) comes between the reaction and the analysis: up to 0.65 min.
        CliTest.Result r = plan(campaign("within_min: 10 ", "within_min: 0.2", "", ""));

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .containsPattern("protocol\\.yaml:36:5: step 'analyse' is to begin within 0.2 min after 'react' ends,"
                        + " which the workcell cannot promise for every experiment")
                .contains("raise 'within_min' to at least 0.66");
    }

    @Test
    void windowShorterThanTheSpreadOfItsReferenceStep_namesThatStepsTiming_asWhatToNarrow() throws Exception {
        // The reaction takes the reactor's timing, 60 +- 2 min: it may end anywhere in 54-66 min, so an analysis
        // reserved when it starts cannot be promised within 1 min of its end.
        Path file = campaign(
                "within_min: 10 ",
                "within_min: 1 ",
                "react: 1.0                   # fallback only: the protocol's react step sets its own duration",
                "react: {mean: 60, sd: 2}");
        Path protocol = file.resolveSibling("protocol.yaml");
        String text = Files.readString(protocol);
        assertThat(text).contains("    duration: $tau");
        Files.writeString(protocol, text.replaceAll("    duration: \\$tau[^\n]*\n", ""));

        CliTest.Result r = plan(file);

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("step 'analyse' is to begin within 1 min after 'react' ends")
                .contains("'react' may end anywhere in a range of 12 min")
                .contains("the steps in between may take up to 0.65 min")
                .contains("raise 'within_min' to at least 12.66, or narrow the timing (sd) of 'react'");
    }

    @Test
    void theSmallestWindowItSuggests_isAccepted_andKeptInThePlan() throws Exception {
        CliTest.Result r = plan(campaign("within_min: 10 ", "within_min: 0.66", "", ""));

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Conflicts: none.");
    }

    @Test
    void exactWindowAfterAnEarlierStep_isRefused_withAWithinWindowToUseInstead() throws Exception {
        CliTest.Result r = plan(
                campaign("within_min: 10                   # start", "exactly_min: 30                  # start", "", "")
                        .getParent()
                        .resolve("campaign.yaml"));
        assertThat(r.code()).as(r.err()).isZero(); // exactly 30 min after the reaction: nothing uncertain between
        Path file = tmp.resolve("campaign/protocol.yaml");
        Files.writeString(file, Files.readString(file).replace("after: react ", "after: dispense"));

        CliTest.Result refused = plan(tmp.resolve("campaign/campaign.yaml"));

        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err())
                .contains("is to begin exactly 30 min after 'dispense' ends")
                .contains("an exact window cannot absorb that uncertainty: give it 'within_min: ");
    }

    @Test
    void windowShorterThanAChangeoverTheAnalyserMayNeed_isRefused() throws Exception {
        // Each analysis is set up for its experiment's temperature, and the HPLC needs 15 min to switch.
        Path file = campaign(
                "    measures: true",
                "    measures: true\n    setup: $temperature",
                "    capacity: 1                      # one injection at a time",
                "    capacity: 1                      # one injection at a time\n    changeover_min: 15");

        CliTest.Result r = plan(file);

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("step 'analyse' is to begin within 10 min")
                .contains("device 'hplc' may first need its changeover of 15 min (changeover_min in the workcell file)")
                .contains("at least 15.66")
                .contains("lower changeover_min");
    }

    @Test
    void aWindowOfZero_isCalledWithin_notExact() throws Exception {
        CliTest.Result r = plan(campaign("within_min: 10 ", "within_min: 0 ", "", ""));

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("is to begin within 0 min after 'react' ends")
                .doesNotContain("exact")
                .doesNotContain("lower changeover_min")
                .contains("raise 'within_min' to at least 0.66");
    }
}

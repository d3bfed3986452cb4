package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The short form of the chaos proof: real child processes, real SIGKILLs, real resumes. */
class ChaosTest {
    @TempDir
    Path tmp;

    @Test
    void demoCampaign_killedThreeTimes_losesNothing_duplicatesNothing_andMatchesTheUninterruptedRun() {
        CliTest.Result r = CliTest.labloop(
                "chaos",
                "--campaign",
                "examples/snar/campaign.yaml",
                "--kills",
                "3",
                "--seed",
                "11",
                "--work",
                tmp.toString());
        assertSurvivedThreeKills(r);
        assertThat(r.out()).contains("same outcomes as uninterrupted run   yes");
    }

    /** A chaos run that passed after three kills, with nothing lost, nothing twice and the uninterrupted data. */
    private static void assertSurvivedThreeKills(CliTest.Result r) {
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("kills survived            3")
                .contains("experiments lost          0")
                .contains("measurements duplicated   0")
                .contains("event log intact          yes")
                .contains("same dataset (provenance and times)  yes")
                .contains("PASS");
    }

    @Test
    void aCampaignOnAPostgresStore_killedThreeTimes_andCutOffFromTheServerFourTimes_losesNothing_andMatches()
            throws Exception {
        try (org.labloop.store.TestPostgres pg = org.labloop.store.TestPostgres.fresh()) {
            CliTest.Result r = CliTest.labloop(
                    "chaos",
                    "--campaign",
                    "examples/snar-faults/campaign.yaml",
                    "--kills",
                    "3",
                    "--severs",
                    "4",
                    "--seed",
                    "11",
                    "--work",
                    tmp.toString(),
                    "--store",
                    pg.url());
            assertSurvivedThreeKills(r);
            assertThat(r.out()).contains("server sessions severed   4 of 4 requested");
            try (org.labloop.event.EventLog log = org.labloop.lab.Lab.openReadOnly(pg.location(), true)) {
                assertThat(log.campaignIds())
                        .as("the killed runs wrote to PostgreSQL")
                        .hasSize(1);
            }
        }
    }

    @Test
    void severingServerSessions_needsAPostgresStore_andSomeInterruptionIsAskedFor() {
        CliTest.Result directory = CliTest.labloop(
                "chaos", "--campaign", "examples/snar/campaign.yaml", "--severs", "2", "--work", tmp.toString());
        assertThat(directory.code()).isEqualTo(2);
        assertThat(directory.err()).contains("--severs", "--store postgresql://");
        CliTest.Result nothing = CliTest.labloop(
                "chaos", "--campaign", "examples/snar/campaign.yaml", "--kills", "0", "--work", tmp.toString());
        assertThat(nothing.code()).isEqualTo(2);
        assertThat(nothing.err()).contains("without an interruption there is nothing to prove");
    }

    @Test
    void twoCampaignsSharingAWorkcell_killedThreeTimes_resumeTogether_andMatchTheUninterruptedRun() {
        CliTest.Result r = CliTest.labloop(
                "chaos",
                "--campaign",
                "examples/snar-shared/urgent.yaml",
                "examples/snar-shared/background.yaml",
                "--kills",
                "3",
                // Seed 595 puts the first kill at the second event: both campaigns exist, neither has yet recorded
                // that it shares the workcell.
                "--seed",
                "595",
                "--work",
                tmp.toString());
        assertSurvivedThreeKills(r);
        assertThat(r.out())
                .contains("campaigns                 2 of 2")
                .contains("experiments               40 of 40")
                .contains("same outcomes as uninterrupted run   yes");
    }
}

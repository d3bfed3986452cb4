package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.CampaignStatus;
import org.labloop.device.QuickRobotDriverProvider;
import org.labloop.event.EventBody;
import org.labloop.event.EventLog;
import org.labloop.lab.CampaignRunner;
import org.labloop.lab.Lab;
import org.labloop.lab.LabStore;
import org.labloop.lab.SolventScreen;

/**
 * A driver for real instruments plugs in through META-INF/services (here a test plug-in that runs on the wall clock):
 * workcell files name it, its campaigns run on the wall clock, and two campaigns never drive the same real devices
 * from two plans.
 */
class DriverPluginTest {
    @TempDir
    Path tmp;

    /** The solvent screen with its HPLC driven by the plug-in; returns the campaign file. */
    private Path realScreen(String name, long seed) throws Exception {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        Path file = SolventScreen.write(dir, "{type: categorical, choices: [EtOH, MeCN]}");
        Path workcell = dir.resolve("workcell.yaml");
        String text = Files.readString(workcell);
        assertThat(text).contains("type: sim");
        Files.writeString(workcell, text.replace("type: sim", "type: " + QuickRobotDriverProvider.TYPE));
        Files.writeString(file, Files.readString(file) + "seed: " + seed + "\n");
        return file;
    }

    @Test
    void aPluggedInDriver_isFoundByItsType_andItsCampaignRunsOnTheWallClock() throws Exception {
        Lab lab = new Lab();
        assertThat(lab.drivers.names()).contains("sim", QuickRobotDriverProvider.TYPE);
        assertThat(lab.drivers.isSimulated(QuickRobotDriverProvider.TYPE)).isFalse();

        Path data = tmp.resolve("data");
        CliTest.Result r = CliTest.labloop("run", realScreen("real", 1).toString(), "--data", data.toString());

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("real devices");
        try (EventLog log = Lab.openExisting(data)) {
            CampaignState s = Lab.load(log, log.campaignIds().get(0));
            assertThat(s.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(s.timeMode()).isEqualTo("wall");
            assertThat(s.experiments().values())
                    .allSatisfy(x -> assertThat(x.measurements()).containsKey("yield"));
        }
    }

    @Test
    void aSecondCampaignOnTheSameRealDevices_isRefusedWhileTheFirstRuns() throws Exception {
        Path data = tmp.resolve("shared-data");
        CampaignRunner runner = new CampaignRunner(new Lab());
        try (LabStore store = LabStore.open(data)) {
            String first = runner.create(runner.prepare(realScreen("first", 1), null), store.log(), "user:test");
            store.log().append(first, java.time.Instant.now(), "engine", new EventBody.CampaignStarted("wall"));
            LabStore.EngineLock running = store.lock(first); // as the engine running it holds it
            try {
                CliTest.Result second =
                        CliTest.labloop("run", realScreen("second", 2).toString(), "--data", data.toString());
                assertThat(second.code()).as(second.out() + second.err()).isEqualTo(5);
                assertThat(second.err())
                        .contains("workcell 'cell' is in use: campaign " + first + " runs on its devices now")
                        .contains("run the campaigns together");
                assertThat(store.log().campaignIds()).as("nothing written").containsExactly(first);
            } finally {
                running.close();
            }
        }
    }
}

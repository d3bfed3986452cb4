package org.labloop.config;

import static org.labloop.config.Fixture.CAMPAIGN;
import static org.labloop.config.Fixture.PROTOCOL;
import static org.labloop.config.Fixture.WORKCELL;
import static org.labloop.config.Fixture.assertSingle;
import static org.labloop.config.Fixture.col;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.core.Problem;

/** One test per kind of mistake in a workcell file. */
class WorkcellFileErrorsTest {
    private static final String FILE = "workcell.yaml";

    @TempDir
    Path dir;

    private List<Problem> load(String workcell) {
        return Fixture.problems(dir, CAMPAIGN, workcell, PROTOCOL);
    }

    @Test
    void load_unknownDeviceKind_listsKnownKinds() {
        String text = Fixture.replace(WORKCELL, "kind: reactor", "kind: reactr");

        assertSingle(
                load(text),
                FILE,
                11,
                11,
                "unknown device kind 'reactr' for device 'reactor'",
                "did you mean 'reactor'? known kinds: liquid_handler, reactor, robot_arm, analyzer, incubator, storage,"
                        + " other");
    }

    @Test
    void load_durationForSomethingNotACapability_reportsTheDurationKey() {
        String text = Fixture.replace(WORKCELL, "dispense: {mean", "dispence: {mean");

        assertSingle(
                load(text),
                FILE,
                9,
                9,
                "duration given for 'dispence', which is not a capability of device 'handler'",
                "did you mean 'dispense'? its capabilities: dispense");
    }

    @Test
    void load_changeoverOnAMultiPositionDevice_isAccepted() {
        String text = Fixture.replace(WORKCELL, "    capacity: 8\n", "    capacity: 8\n    changeover_min: 5\n");

        var spec = Fixture.spec(dir, CAMPAIGN, text, PROTOCOL);

        org.assertj.core.api.Assertions.assertThat(
                        spec.workcell().device("reactor").orElseThrow().changeover())
                .isEqualTo(java.time.Duration.ofMinutes(5));
    }

    @Test
    void load_negativeChangeover_isRefused() {
        String text = Fixture.replace(WORKCELL, "    kind: analyzer\n", "    kind: analyzer\n    changeover_min: -1\n");

        assertSingle(
                load(text),
                FILE,
                16,
                col(text, 16, "-1"),
                "'changeover_min' of device 'hplc' must be from 0 to 1000000 minutes",
                "changeover_min: 5");
    }

    @Test
    void load_emptyCapabilities_reportsNoCapabilities() {
        String text = Fixture.replace(WORKCELL, "capabilities: [react]", "capabilities: []");

        assertSingle(load(text), FILE, 12, col(text, 12, "[]"), "device 'reactor' has no capabilities", "");
    }

    @Test
    void load_capabilitiesAsText_hintsToWriteAList() {
        String text = Fixture.replace(WORKCELL, "capabilities: [react]", "capabilities: react");

        assertSingle(
                load(text),
                FILE,
                12,
                col(text, 12, "react"),
                "'capabilities' of device 'reactor' must be a list, got text 'react'",
                "even for a single item");
    }

    @Test
    void load_capacityInOctal_isAskedForInDecimal() {
        String text = Fixture.replace(WORKCELL, "capacity: 8", "capacity: 0o2");

        assertSingle(
                load(text),
                FILE,
                13,
                15,
                "'capacity' of device 'reactor' must be",
                "write the number in decimal, here 2");
    }

    @Test
    void load_capacityZero_reportsRange() {
        String text = Fixture.replace(WORKCELL, "capacity: 8", "capacity: 0");

        assertSingle(load(text), FILE, 13, 15, "'capacity' of device 'reactor' must be between 1 and", "at least 1");
    }

    @Test
    void load_negativeDuration_reportsIt() {
        String text = Fixture.replace(WORKCELL, "{analyse: 6}", "{analyse: -6}");

        assertSingle(load(text), FILE, 17, col(text, 17, "-6"), "must be between 0 and", "cannot be negative");
    }

    @Test
    void load_timingMapWithoutMean_reportsMissingMean() {
        String text = Fixture.replace(WORKCELL, "{mean: 2.0, sd: 0.2}", "{sd: 0.2}");

        assertSingle(load(text), FILE, 9, 9, "has no 'mean'", "add 'mean: ");
    }

    @Test
    void load_unknownDeviceKey_suggestsTheClosest() {
        String text = Fixture.replace(WORKCELL, "capacity: 8", "capacty: 8");

        assertSingle(load(text), FILE, 13, 5, "unknown key 'capacty' in device 'reactor'", "did you mean 'capacity'?");
    }

    @Test
    void load_emptyDriverOption_reportsItWithTheDevice() {
        String text = Fixture.replace(WORKCELL, "column: C18", "column: ~");

        assertSingle(load(text), FILE, 17, col(text, 17, "~"), "driver option 'column' of device 'hplc' is empty", "");
    }

    @Test
    void load_noDevices_reportsAtTheDevicesKey() {
        assertSingle(load("workcell: cell\ndevices: {}\n"), FILE, 2, 1, "the workcell has no devices", "");
    }

    @Test
    void load_deviceMissingKind_reportsAtTheDeviceName() {
        String text = Fixture.replace(WORKCELL, "    kind: reactor\n", "");

        assertSingle(load(text), FILE, 10, 3, "device 'reactor' has no 'kind'", "add 'kind: reactor'");
    }

    @Test
    void loadWorkcell_badFile_reportsProblemsOfThatFileAlone() throws Exception {
        Path file = java.nio.file.Files.writeString(
                dir.resolve("cell.yaml"), Fixture.replace(WORKCELL, "kind: reactor", "kind: reactr"));

        assertSingle(
                Fixture.problems(() -> CampaignLoader.loadWorkcell(file)),
                "cell.yaml",
                11,
                11,
                "unknown device kind",
                "");
    }
}

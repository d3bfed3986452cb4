package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.cli.CliTest.Result;

/** The short form of the fuzz suite: a few hundred seeded cases of bad YAML and damaged stores, none may crash. */
class FuzzCommandTest {
    @TempDir
    Path tmp;

    @Test
    void threeHundredSeededCases_areAllAcceptedOrRejectedWithAMessage() {
        Result r = CliTest.labloop("fuzz", "--cases", "300", "--seed", "20240", "--work", tmp.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("300 cases")
                .containsPattern("total\\s+300\\s+\\d+\\s+\\d+\\s+0")
                .contains("PASS");
        // both targets and every class of damage to the store were exercised
        assertThat(r.out())
                .contains("yaml ")
                .contains("db ")
                .contains("reseal-json")
                .contains("wal-garbage");
    }

    @Test
    void oneCase_replaysAlone_withATranscript() {
        Result r = CliTest.labloop("fuzz", "--target", "db", "--seed", "5", "--case", "3", "--work", tmp.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("case 3").contains("labloop status").contains("1 cases");
    }

    @Test
    void badOptions_areRefused() {
        assertThat(CliTest.labloop("fuzz", "--target", "nope").code()).isEqualTo(2);
        Result missing =
                CliTest.labloop("fuzz", "--work", tmp.resolve("missing").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("missing");
    }
}

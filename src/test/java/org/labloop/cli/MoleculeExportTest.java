package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.labloop.cli.CliTest.labloop;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.core.Table;
import org.labloop.data.CsvTables;

/** A dataset names each molecule by its choice name and gives its SMILES, for whoever models the data later. */
class MoleculeExportTest {
    @TempDir
    Path tmp;

    @Test
    void theExport_givesTheSmilesOfEveryChosenMolecule() throws Exception {
        Files.writeString(tmp.resolve("workcell.yaml"), """
                workcell: cell
                devices:
                  hplc:
                    kind: analyzer
                    capabilities: [analyse]
                    driver: {type: sim, durations: {analyse: {mean: 6, sd: 0.3}}}
                """);
        Files.writeString(tmp.resolve("protocol.yaml"), """
                protocol: p
                steps:
                  - name: analyse
                    capability: analyse
                    args: {solvent: $solvent}
                    measures: true
                """);
        Files.writeString(tmp.resolve("screen.csv"), "solvent,yield\nEtOH,10\nMeCN,20\n");
        Path file = Files.writeString(tmp.resolve("campaign.yaml"), """
                campaign: screen
                workcell: workcell.yaml
                protocol: protocol.yaml
                emulator: {type: lookup, file: screen.csv, outcomes: [yield]}
                parameters:
                  solvent: {type: molecule, choices: {EtOH: CCO, MeCN: "CC#N"}}
                objectives:
                  yield: {direction: maximise}
                budget: 2
                """);
        Path data = tmp.resolve("data");
        assertThat(labloop("run", file.toString(), "--data", data.toString(), "--no-progress")
                        .code())
                .isZero();
        Path csv = tmp.resolve("out.csv");

        assertThat(labloop("export", "--format", "csv", "--out", csv.toString(), "--data", data.toString())
                        .code())
                .isZero();

        Table t = CsvTables.read(csv);
        assertThat(t.columns()).containsSubsequence("solvent", "solvent_smiles", "yield");
        for (int r = 0; r < t.size(); r++) {
            assertThat(t.cell(r, "solvent_smiles"))
                    .isEqualTo(t.cell(r, "solvent").equals("EtOH") ? "CCO" : "CC#N");
        }
        assertThat(labloop("export", "--format", "json", "--data", data.toString())
                        .out())
                .contains("\"smiles\" : {")
                .containsPattern("\"solvent\" : \"(CCO|CC#N)\"");
    }
}

package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.labloop.cli.CliTest.labloop;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.core.Table;
import org.labloop.data.CsvTables;
import org.labloop.lab.SolventScreen;

/** A dataset names each molecule by its choice name and gives its SMILES, for whoever models the data later. */
class MoleculeExportTest {
    @TempDir
    Path tmp;

    @Test
    void theExport_givesTheSmilesOfEveryChosenMolecule() throws Exception {
        Path file = SolventScreen.write(tmp, "{type: molecule, choices: {EtOH: CCO, MeCN: \"CC#N\"}}");
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

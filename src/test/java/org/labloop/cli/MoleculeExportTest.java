package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.labloop.cli.CliTest.labloop;

import java.nio.file.Path;
import java.util.Map;
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

    /**
     * Runs the solvent screen with {@code solvent} over a table of {@code rows} (CSV lines below the header) and
     * checks that the dataset keeps the campaign's names and gives each the yield of its row.
     */
    private void runAndExpectYields(String solvent, String rows, Map<String, Double> yields) throws Exception {
        Path file = SolventScreen.write(tmp, solvent);
        java.nio.file.Files.writeString(tmp.resolve("screen.csv"), "solvent,yield\n" + rows);
        Path data = tmp.resolve("data");
        CliTest.Result run = labloop("run", file.toString(), "--data", data.toString(), "--no-progress");
        assertThat(run.code()).as(run.err()).isZero();

        Table t = CsvTables.parse(
                "export",
                labloop("export", "--format", "csv", "--data", data.toString()).out());
        assertThat(t.size()).isEqualTo(yields.size());
        for (int r = 0; r < t.size(); r++) {
            assertThat(yields).containsKey(t.cell(r, "solvent"));
            assertThat(Double.parseDouble(t.cell(r, "yield"))).isEqualTo(yields.get(t.cell(r, "solvent")));
        }
    }

    private CliTest.Result runOver(String rows) throws Exception {
        java.nio.file.Files.writeString(tmp.resolve("screen.csv"), "solvent,yield\n" + rows);
        return labloop(
                "run",
                tmp.resolve("campaign.yaml").toString(),
                "--data",
                tmp.resolve("d2").toString());
    }

    @Test
    void aTableKeyedBySmiles_answersForMoleculesTheCampaignNames_andTheDatasetKeepsTheNames() throws Exception {
        runAndExpectYields(
                "{type: molecule, choices: {ethanol: CCO, acetonitrile: \"CC#N\"}}",
                "CCO,10\nCC#N,20\n",
                Map.of("ethanol", 10.0, "acetonitrile", 20.0));

        // A name that is not in the table and a SMILES that is not either: refused, saying how molecules match.
        CliTest.Result refused = runOver("CCO,10\nCCCO,20\n");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("no row of").contains("by its structure");
    }

    @Test
    void aTableWritingTheSameMoleculesAnotherWay_answersForThemByStructure() throws Exception {
        runAndExpectYields(
                "{type: molecule, choices: {ethanol: OCC, acetate: \"CC(=O)[O-].[K+]\"}}",
                "C(O)C,10\n[K+].CC([O-])=O,20\n",
                Map.of("ethanol", 10.0, "acetate", 20.0));

        // Two rows' texts for one structure: which one is the table's name for it is not clear, so no match is made.
        CliTest.Result refused = runOver("C(O)C,10\nCCO,11\n[K+].CC([O-])=O,20\n");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("no row of").contains("has solvent = ethanol");
    }

    @Test
    void aColumnOfNames_isNotReadAsStructures_evenWhereANameReadsAsSmiles() throws Exception {
        // A column of names: "CO" names carbon monoxide and "C(C)O" is a code, though as SMILES they would be the
        // methanol and ethanol the campaign writes "OC" and "CCO".
        SolventScreen.write(tmp, "{type: molecule, choices: {methanol: OC, ethanol: CCO}}");
        CliTest.Result refused = runOver("CO,10\nC(C)O,20\nEtOH,30\n");

        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("no row of").contains("has solvent = methanol, ethanol");
    }
}

package org.labloop.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.labloop.core.Table;
import org.labloop.data.CsvTables;

class LookupTableEmulatorTest {
    private static final String CS_ACETATE = "O=C([O-])C.[Cs+]";
    private static final String LIGAND = "C[C@]1(O2)O[C@](C[C@]2(C)P3C4=CC=CC=C4)(C)O[C@]3(C)C1";
    private static final String BUTYRONITRILE = "CCCC#N";

    private static Table arylation;

    @BeforeAll
    static void readData() {
        arylation = CsvTables.read(shared().resolve("data/direct_arylation/experiment_index.csv"));
    }

    static Path shared() {
        String dir = System.getProperty("labloop.shared");
        assertThat(dir).as("system property labloop.shared (set by surefire)").isNotNull();
        return Path.of(dir);
    }

    @Test
    void evaluate_knownArylationRow_returnsItsYield() {
        LookupTableEmulator emulator = new LookupTableEmulator(arylation, List.of("yield"), List.of("entry"));

        // Row entry 1672 of the published table.
        Map<String, Double> out = emulator.evaluate(conditions(0.153, 120.0), new SplittableRandom(1));

        assertThat(out).containsExactlyEntriesOf(Map.of("yield", 99.98));
    }

    @Test
    void inputsAndOutputs_areTheNonOutcomeColumnsInTableOrder() {
        LookupTableEmulator emulator = new LookupTableEmulator(arylation, List.of("yield"), List.of("entry"));

        assertThat(emulator.inputs())
                .containsExactly("Base_SMILES", "Ligand_SMILES", "Solvent_SMILES", "Concentration", "Temp_C");
        assertThat(emulator.outputs()).containsExactly("yield");
        assertThat(emulator.name()).isEqualTo("lookup");
        assertThat(emulator.version()).startsWith("1-sha256:");
    }

    @Test
    void evaluate_numbersWrittenDifferently_matchTheSameRow() {
        LookupTableEmulator emulator = new LookupTableEmulator(arylation, List.of("yield"), List.of("entry"));
        Map<String, Object> x = conditions(0.153, 120.0);
        x.put("Temp_C", 120); // an Integer
        x.put("Concentration", "1.53e-1"); // text holding a number
        x.put("Solvent_SMILES", "  " + BUTYRONITRILE + " "); // surrounding blanks

        assertThat(emulator.evaluate(x, null)).containsEntry("yield", 99.98);

        x.put("Concentration", 0.153 * (1 + 1e-12)); // rounding noise within the tolerance
        assertThat(emulator.evaluate(x, null)).containsEntry("yield", 99.98);
    }

    @Test
    void evaluate_valueNotInTheTable_errorsNamingTheColumnValueAndItsLevels() {
        LookupTableEmulator emulator = new LookupTableEmulator(arylation, List.of("yield"), List.of("entry"));

        assertThatThrownBy(() -> emulator.evaluate(conditions(0.153, 100.0), null))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("Temp_C=100.0")
                .hasMessageContaining("90.0, 105.0, 120.0");
        assertThatThrownBy(() -> emulator.evaluate(conditions(0.153 * 1.001, 120.0), null))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("Concentration=");
    }

    @Test
    void evaluate_absentCombinationOfKnownValues_errorsNamingAllValuesAsked() {
        Table partial = CsvTables.parse("partial.csv", "base,temp,yield\nKOAc,90,10\nKOAc,105,20\nCsOPiv,90,30\n");
        LookupTableEmulator emulator = new LookupTableEmulator(partial, List.of("yield"), List.of());

        assertThat(emulator.evaluate(Map.of("base", "CsOPiv", "temp", 90.0), null))
                .containsEntry("yield", 30.0);
        assertThatThrownBy(() -> emulator.evaluate(Map.of("base", "CsOPiv", "temp", 105.0), null))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("no row of partial.csv matches base=CsOPiv, temp=105.0");
    }

    @Test
    void evaluate_missingInput_errorsNamingIt() {
        LookupTableEmulator emulator = new LookupTableEmulator(arylation, List.of("yield"), List.of("entry"));
        Map<String, Object> x = conditions(0.153, 120.0);
        x.remove("Ligand_SMILES");

        assertThatThrownBy(() -> emulator.evaluate(x, null))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("missing input 'Ligand_SMILES'");
    }

    @Test
    void evaluate_nonNumericValueForNumericColumn_errorsNamingIt() {
        LookupTableEmulator emulator = new LookupTableEmulator(arylation, List.of("yield"), List.of("entry"));
        Map<String, Object> x = conditions(0.153, 120.0);
        x.put("Temp_C", "hot");

        assertThatThrownBy(() -> emulator.evaluate(x, null))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("'Temp_C' must be a number")
                .hasMessageContaining("hot");
    }

    @Test
    void evaluate_everyRowOfTheTable_answersItsOwnYield() {
        LookupTableEmulator emulator = new LookupTableEmulator(arylation, List.of("yield"), List.of("entry"));
        double[] yields = arylation.numbers("yield");

        for (int r = 0; r < arylation.size(); r++) {
            Map<String, Object> x = new HashMap<>();
            for (String c : emulator.inputs()) {
                String cell = arylation.cell(r, c);
                x.put(c, arylation.isNumeric(c) ? (Object) Double.parseDouble(cell) : cell);
            }
            assertThat(emulator.evaluate(x, null).get("yield")).as("row %d", r).isEqualTo(yields[r]);
        }
    }

    @Test
    void constructor_withoutEnoughInputColumns_reportsDuplicateRows() {
        // Without the ligand, 12 rows share every remaining input.
        assertThatThrownBy(
                        () -> new LookupTableEmulator(arylation, List.of("yield"), List.of("entry", "Ligand_SMILES")))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("duplicate rows for Base_SMILES=");
    }

    @Test
    void constructor_numbersEqualWithinTolerance_areDuplicates() {
        Table t = CsvTables.parse("dup.csv", "temp,yield\n90,1\n90.0,2\n");

        assertThatThrownBy(() -> new LookupTableEmulator(t, List.of("yield"), List.of()))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("dup.csv: duplicate rows for temp=90");
    }

    @Test
    void constructor_unknownOrNonNumericOutcome_rejected() {
        assertThatThrownBy(() -> new LookupTableEmulator(arylation, List.of("Yield"), List.of()))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("no outcome column 'Yield'")
                .hasMessageContaining("entry, Base_SMILES");
        Table t = CsvTables.parse("gaps.csv", "temp,yield\n90,1\n105,\n");
        assertThatThrownBy(() -> new LookupTableEmulator(t, List.of("yield"), List.of()))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("gaps.csv:3: outcome column 'yield'");
    }

    @Test
    void constructor_twoOutcomes_reportsBothInOrder() {
        Table t = CsvTables.read(shared().resolve("data/direct_arylation/yield_and_cost.csv"));
        LookupTableEmulator emulator = new LookupTableEmulator(t, List.of("yield", "cost"), List.of("new_index"));

        Map<String, Double> out = emulator.evaluate(
                Map.of(
                        "base",
                        "KOAc",
                        "ligand",
                        "BrettPhos",
                        "solvent",
                        "DMAc",
                        "concentration",
                        0.1,
                        "temperature",
                        105),
                null);

        assertThat(emulator.outputs()).containsExactly("yield", "cost");
        assertThat(out).containsEntry("yield", 5.47).containsEntry("cost", 0.14577548199999998);
    }

    @Test
    void version_changesWithTheData() {
        Table a = CsvTables.parse("t.csv", "temp,yield\n90,1\n");
        Table b = CsvTables.parse("t.csv", "temp,yield\n90,2\n");

        assertThat(new LookupTableEmulator(a, List.of("yield"), List.of()).version())
                .isNotEqualTo(new LookupTableEmulator(b, List.of("yield"), List.of()).version())
                .isEqualTo(new LookupTableEmulator(a, List.of("yield"), List.of()).version());
    }

    private static Map<String, Object> conditions(Object concentration, Object temperature) {
        Map<String, Object> x = new HashMap<>();
        x.put("Base_SMILES", CS_ACETATE);
        x.put("Ligand_SMILES", LIGAND);
        x.put("Solvent_SMILES", BUTYRONITRILE);
        x.put("Concentration", concentration);
        x.put("Temp_C", temperature);
        return x;
    }
}

package org.labloop.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.labloop.core.Table;
import org.labloop.data.CsvTables;
import org.labloop.space.Bound;
import org.labloop.space.CategoricalParameter;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.DiscreteParameter;
import org.labloop.space.MoleculeParameter;
import org.labloop.space.Parameter;
import org.labloop.space.SearchSpace;

/** What a lookup table cannot answer for is found before a campaign runs, not one failed experiment at a time. */
class LookupGapsTest {
    private static final Table SCREEN =
            CsvTables.parse("screen.csv", "solvent,temp,yield\nEtOH,40,1\nEtOH,80,2\nMeCN,40,3\nMeCN,80,4\n");

    private static List<Emulator.Gap> gaps(Table table, Parameter... parameters) {
        SearchSpace space = new SearchSpace(List.of(parameters));
        return new LookupTableEmulator(table, List.of("yield"), List.of()).gaps(space::parameter);
    }

    private static final CategoricalParameter SOLVENTS = new CategoricalParameter("solvent", List.of("EtOH", "MeCN"));
    private static final DiscreteParameter TEMPS = new DiscreteParameter("temp", List.of(40.0, 80.0), "degC");

    @Test
    void aSpaceTheTableCoversWhole_hasNoGaps() {
        assertThat(gaps(SCREEN, SOLVENTS, TEMPS)).isEmpty();
    }

    @Test
    void valuesTheTableLacks_areNamedWithTheColumnsValues() {
        List<Emulator.Gap> g = gaps(
                SCREEN,
                new CategoricalParameter("solvent", List.of("EtOH", "DMSO")),
                new DiscreteParameter("temp", List.of(40.0, 80.0, 120.0), "degC"));

        assertThat(g).extracting(Emulator.Gap::parameter).containsExactly("solvent", "temp");
        assertThat(g.get(0).problem())
                .contains("no row of screen.csv has solvent = DMSO; the column has values EtOH, MeCN");
        assertThat(g.get(1).problem()).contains("has temp = 120; the column has values 40, 80");
    }

    @Test
    void aContinuousParameter_isRefused_withTheValuesToMakeItDiscrete() {
        List<Emulator.Gap> g = gaps(SCREEN, SOLVENTS, new ContinuousParameter("temp", new Bound(40, 80), "degC"));

        assertThat(g).singleElement().satisfies(gap -> {
            assertThat(gap.problem())
                    .contains("'temp' is continuous, but screen.csv answers only for the values 40, 80");
            assertThat(gap.fix()).contains("discrete");
        });
        // A continuous parameter fixed at one value the table has is fine.
        assertThat(gaps(SCREEN, SOLVENTS, new ContinuousParameter("temp", new Bound(80, 80), "degC")))
                .isEmpty();
    }

    @Test
    void missingCombinations_areCounted_withTheFirstOne() {
        Table sparse = CsvTables.parse("sparse.csv", "solvent,temp,yield\nEtOH,40,1\nEtOH,80,2\nMeCN,80,4\n");

        assertThat(gaps(sparse, SOLVENTS, TEMPS)).singleElement().satisfies(gap -> {
            assertThat(gap.parameter()).isNull();
            assertThat(gap.problem())
                    .contains("sparse.csv has no row for 1 of the 4 combinations")
                    .contains("solvent=MeCN, temp=40");
        });
    }

    @Test
    void aNumberColumnWithOneStrayCell_isNamedAtItsLine() {
        Table bad = CsvTables.parse("bad.csv", "solvent,temp,yield\nEtOH,40,1\nEtOH,80 C,2\nMeCN,40,3\nMeCN,80,4\n");

        assertThat(gaps(bad, SOLVENTS, TEMPS))
                .singleElement()
                .satisfies(gap -> assertThat(gap.problem())
                        .contains("column 'temp' of bad.csv is not all numbers (line 3 has '80 C')"));
    }

    @Test
    void moleculesAreMatchedByTheirNames_andRenamedInputsByTheCampaignsNames() {
        MoleculeParameter bySmiles = new MoleculeParameter(
                "solvent",
                List.of(new MoleculeParameter.Molecule("EtOH", "CCO"), new MoleculeParameter.Molecule("MeCN", "CC#N")));
        assertThat(gaps(SCREEN, bySmiles, TEMPS)).isEmpty();

        Emulator renamed = new RenamedEmulator(
                new LookupTableEmulator(SCREEN, List.of("yield"), List.of()), Map.of("temp", "t_C"), Map.of());
        SearchSpace space =
                new SearchSpace(List.of(SOLVENTS, new DiscreteParameter("t_C", List.of(40.0, 60.0), "degC")));
        assertThat(renamed.gaps(space::parameter)).singleElement().satisfies(gap -> {
            assertThat(gap.parameter()).isEqualTo("t_C");
            assertThat(gap.problem()).contains("has temp = 60");
        });
    }
}

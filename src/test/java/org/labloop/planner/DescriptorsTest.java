package org.labloop.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.labloop.space.MoleculeParameter;
import org.labloop.space.MoleculeParameter.Molecule;
import org.labloop.space.SearchSpace;

class DescriptorsTest {
    /** Bases, ligands and solvents of the direct arylation and Suzuki-Miyaura tables, salts and ferrocenes included. */
    private static final List<String> MOLECULES = List.of(
            "O=C([O-])C.[K+]",
            "O=C([O-])C(C)(C)C.[Cs+]",
            "O=P([O-])([O-])[O-].[K+].[K+].[K+]",
            "[Cs+].[F-]",
            "[Na+].[OH-]",
            "[K+]",
            "CC(C)(P(C(C)(C)C)[c-]1cccc1)C.CC(C)(P(C(C)(C)C)[c-]2cccc2)C.[Fe+2]",
            "CC1=CC=C(N(C2CCCCO2)N=C3)C3=C1[B-](F)(F)F",
            "P(C1=CC=CC=C1)(C2=CC=CC=C2)C3=CC=CC=C3",
            "CC(N(C)C)=O",
            "CO");

    @Test
    void everyDescriptorIsFiniteForSaltsIonsAndMetalComplexes() {
        for (String smiles : MOLECULES) {
            double[] d = Descriptors.of("m", smiles, smiles);
            assertThat(d).as(smiles).hasSize(Descriptors.NAMES.size());
            assertThat(Arrays.stream(d).allMatch(Double::isFinite))
                    .as(smiles + " " + Arrays.toString(d))
                    .isTrue();
        }
    }

    @Test
    void theSameSmilesGivesTheSameVector() {
        assertThat(Descriptors.of("base", "a", "O=C([O-])C.[K+]"))
                .containsExactly(Descriptors.of("base", "b", "O=C([O-])C.[K+]"));
    }

    @Test
    void valuesAreTheTextbookOnesForMethanolAndPotassiumAcetate() {
        double[] methanol = Descriptors.of("solvent", "methanol", "CO");
        assertThat(methanol[Descriptors.NAMES.indexOf("molecular weight")]).isCloseTo(32.04, within(0.01));
        assertThat(methanol[Descriptors.NAMES.indexOf("TPSA")]).isCloseTo(20.23, within(0.01));
        assertThat(methanol[Descriptors.NAMES.indexOf("H-bond donors")]).isEqualTo(1);
        assertThat(methanol[Descriptors.NAMES.indexOf("heavy atoms")]).isEqualTo(2);
        double[] koac = Descriptors.of("base", "KOAc", "O=C([O-])C.[K+]");
        assertThat(koac[Descriptors.NAMES.indexOf("molecular weight")]).isCloseTo(98.14, within(0.01));
        assertThat(koac[Descriptors.NAMES.indexOf("absolute formal charge")]).isEqualTo(2);
        assertThat(koac[Descriptors.NAMES.indexOf("heavy atoms")]).isEqualTo(5);
    }

    @Test
    void invalidSmilesIsAPlanningErrorNamingTheParameterAndChoice() {
        assertThatThrownBy(() -> Descriptors.of("ligand", "broken", "C1CC("))
                .isInstanceOf(PlanningException.class)
                .hasMessageContaining("ligand")
                .hasMessageContaining("broken")
                .hasMessageContaining("C1CC(");
    }

    @Test
    void theEncodingStandardisesThenKeepsAtMostTheAskedComponentsEachScaledToTheUnitInterval() {
        MoleculeParameter bases = new MoleculeParameter(
                "base",
                List.of(
                        new Molecule("KOAc", "O=C([O-])C.[K+]"),
                        new Molecule("CsOAc", "O=C([O-])C.[Cs+]"),
                        new Molecule("KOPiv", "O=C([O-])C(C)(C)C.[K+]"),
                        new Molecule("CsOPiv", "O=C([O-])C(C)(C)C.[Cs+]"),
                        new Molecule("K3PO4", "O=P([O-])([O-])[O-].[K+].[K+].[K+]"),
                        new Molecule("CsF", "[Cs+].[F-]")));
        Encoding enc = Encoding.of(new SearchSpace(List.of(bases)), Encoding.MoleculeMode.DESCRIPTORS, 4);
        assertThat(enc.dims()).isEqualTo(4);
        double[][] rows = new double[bases.choices().size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = enc.features(new double[] {i});
            assertThat(Arrays.stream(rows[i]).allMatch(v -> v >= 0 && v <= 1)).isTrue();
        }
        assertThat(Arrays.stream(rows).map(Arrays::toString).distinct()).hasSize(rows.length);
        assertThat(Encoding.of(new SearchSpace(List.of(bases)), Encoding.MoleculeMode.DESCRIPTORS, 4)
                        .features(new double[] {2}))
                .containsExactly(rows[2]);
    }

    @Test
    void standardisedColumnsHaveMeanZeroAndUnitVarianceAndAConstantColumnBecomesZero() {
        double[][] s = Encoding.standardised(new double[][] {{1, 5}, {2, 5}, {3, 5}, {6, 5}});
        double mean = 0;
        double var = 0;
        for (double[] row : s) {
            mean += row[0] / s.length;
            var += row[0] * row[0] / s.length;
            assertThat(row[1]).isZero();
        }
        assertThat(mean).isCloseTo(0, within(1e-12));
        assertThat(var).isCloseTo(1, within(1e-12));
    }
}

package org.labloop.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.labloop.space.Bound;
import org.labloop.space.CategoricalParameter;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.DescriptorTable;
import org.labloop.space.DiscreteParameter;
import org.labloop.space.MoleculeParameter;
import org.labloop.space.MoleculeParameter.Molecule;
import org.labloop.space.Point;
import org.labloop.space.SearchSpace;

class EncodingTest {
    private static final MoleculeParameter SOLVENT = new MoleculeParameter(
            "solvent",
            List.of(
                    new Molecule("DMAc", "CC(N(C)C)=O"),
                    new Molecule("butyl acetate", "CCCCOC(C)=O"),
                    new Molecule("p-xylene", "CC1=CC=C(C)C=C1"),
                    new Molecule("butyronitrile", "CCCC#N")));

    private static final SearchSpace SPACE = new SearchSpace(List.of(
            new ContinuousParameter("temp", new Bound(20, 120), "degC"),
            new DiscreteParameter("conc", List.of(0.1, 0.2, 0.5), "M"),
            new CategoricalParameter("base", List.of("KOAc", "CsOAc", "KOPiv")),
            SOLVENT));

    private static Point point(double temp, double conc, String base, String solvent) {
        return SPACE.point(Map.of("temp", temp, "conc", conc, "base", base, "solvent", solvent));
    }

    @Test
    void aDescriptorTable_replacesOneHot_byItsStandardisedColumnsScaledToTheUnitInterval() {
        // One informative column (dielectric constant) and one the same for all: the constant one carries nothing,
        // and one standardised column projects onto itself, so the feature is the dielectric scaled to [0, 1]
        // (or its mirror image: a principal component's sign is arbitrary).
        DescriptorTable table = new DescriptorTable(
                "solvents.csv",
                List.of("dielectric", "phase"),
                Map.of("EtOH", List.of(24.5, 1.0), "MeCN", List.of(37.5, 1.0), "DMSO", List.of(46.7, 1.0)));
        CategoricalParameter solvent =
                new CategoricalParameter("solvent", List.of("EtOH", "MeCN", "DMSO")).withDescriptors(table);
        SearchSpace space = new SearchSpace(List.of(solvent));

        Encoding enc = Encoding.of(space, Encoding.MoleculeMode.FINGERPRINT, 4);

        assertThat(enc.dims()).isEqualTo(1);
        double[] f = new double[3];
        for (int i = 0; i < 3; i++) {
            f[i] = enc.encode(space.point(Map.of("solvent", solvent.choices().get(i))))[0];
        }
        double[] expected = {0, (37.5 - 24.5) / (46.7 - 24.5), 1};
        double[] mirrored = {1, 1 - expected[1], 0};
        double[] want = f[0] < 0.5 ? expected : mirrored;
        for (int i = 0; i < 3; i++) {
            assertThat(f[i]).as("choice %d", i).isCloseTo(want[i], within(1e-12));
        }
    }

    @Test
    void featuresLieInTheUnitCubeWithOneHotCategoriesAndScaledNumbers() {
        Encoding enc = Encoding.of(SPACE, Encoding.MoleculeMode.FINGERPRINT, 4);
        // 1 continuous + 1 discrete + 3 one-hot + 3 principal components (4 molecules).
        assertThat(enc.dims()).isEqualTo(8);
        double[] f = enc.encode(point(70, 0.5, "CsOAc", "DMAc"));
        assertThat(f[0]).isEqualTo(0.5);
        assertThat(f[1]).isEqualTo(1.0);
        assertThat(new double[] {f[2], f[3], f[4]}).containsExactly(0, 1, 0);
        for (double v : f) {
            assertThat(v).isBetween(0.0, 1.0);
        }
    }

    @Test
    void sameSmilesGivesTheSameVectorAndDifferentMoleculesDiffer() {
        Encoding a = Encoding.of(SPACE, Encoding.MoleculeMode.FINGERPRINT, 4);
        Encoding b = Encoding.of(SPACE, Encoding.MoleculeMode.FINGERPRINT, 4);
        double[] x = a.encode(point(50, 0.1, "KOAc", "p-xylene"));
        assertThat(b.encode(point(50, 0.1, "KOAc", "p-xylene"))).containsExactly(x);
        assertThat(a.encode(point(50, 0.1, "KOAc", "DMAc"))).isNotEqualTo(x);
    }

    @Test
    void designsRoundTripToTheSamePoint() {
        Encoding enc = Encoding.of(SPACE, Encoding.MoleculeMode.ONEHOT, 4);
        Point p = point(33.3, 0.2, "KOPiv", "butyronitrile");
        assertThat(enc.point(enc.design(p))).isEqualTo(p);
        assertThat(enc.dims()).isEqualTo(1 + 1 + 3 + 4);
    }

    @Test
    void invalidSmilesIsAPlanningErrorNamingTheParameterAndValue() {
        SearchSpace bad = new SearchSpace(List.of(new MoleculeParameter(
                "ligand", List.of(new Molecule("good", "CCO"), new Molecule("broken", "C1CC(")))));
        assertThatThrownBy(() -> Encoding.of(bad, Encoding.MoleculeMode.FINGERPRINT, 4))
                .isInstanceOf(PlanningException.class)
                .hasMessageContaining("ligand")
                .hasMessageContaining("broken")
                .hasMessageContaining("C1CC(");
    }

    @Test
    void identicalFingerprintsFallBackToOneHot() {
        SearchSpace same = new SearchSpace(List.of(new MoleculeParameter(
                "m", List.of(new Molecule("ethanol", "CCO"), new Molecule("ethanol again", "OCC")))));
        Encoding enc = Encoding.of(same, Encoding.MoleculeMode.FINGERPRINT, 4);
        assertThat(enc.dims()).isEqualTo(2);
    }

    @Test
    void autoDimsKeepTheFewestComponentsExplainingTheChosenShareOfVariance() {
        java.util.BitSet[] fps = new java.util.BitSet[SOLVENT.choices().size()];
        for (int i = 0; i < fps.length; i++) {
            Molecule m = SOLVENT.choices().get(i);
            fps[i] = Fingerprints.ecfp4("solvent", m.name(), m.smiles());
        }
        assertThat(Encoding.principalScores(fps, 3, 1)[0]).hasSize(3);
        assertThat(Encoding.principalScores(fps, 3, 1e-6)[0]).hasSize(1);
        double[][] all = Encoding.principalScores(fps, 3, 1);
        double[] variance = new double[3];
        double total = 0;
        for (int c = 0; c < 3; c++) {
            for (double[] row : all) {
                variance[c] += row[c] * row[c];
            }
            total += variance[c];
        }
        int needed = 0;
        double explained = 0;
        while (explained < Encoding.AUTO_VARIANCE * total) {
            explained += variance[needed++];
        }
        Encoding auto =
                Encoding.of(new SearchSpace(List.of(SOLVENT)), Encoding.MoleculeMode.FINGERPRINT, Encoding.AUTO_DIMS);
        assertThat(auto.dims()).isEqualTo(needed);
    }
}

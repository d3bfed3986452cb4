package org.labloop.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.junit.jupiter.api.Test;
import org.labloop.space.Bound;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.MoleculeParameter;
import org.labloop.space.MoleculeParameter.Molecule;
import org.labloop.space.SearchSpace;

class TanimotoKernelTest {
    private static final MoleculeParameter SOLVENT = new MoleculeParameter(
            "solvent",
            List.of(
                    new Molecule("DMAc", "CC(N(C)C)=O"),
                    new Molecule("butyl acetate", "CCCCOC(C)=O"),
                    new Molecule("p-xylene", "CC1=CC=C(C)C=C1"),
                    new Molecule("butyronitrile", "CCCC#N")));

    private static BitSet bits(int... on) {
        BitSet b = new BitSet();
        for (int i : on) {
            b.set(i);
        }
        return b;
    }

    private static BitSet[] randomFingerprints(int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        BitSet[] fps = new BitSet[k];
        for (int i = 0; i < k; i++) {
            fps[i] = new BitSet();
            for (int b = 0; b < 64; b++) {
                if (r.nextDouble() < 0.2) {
                    fps[i].set(b);
                }
            }
        }
        return fps;
    }

    private static double smallestEigenvalue(double[][] m) {
        int n = m.length;
        DMatrixRMaj a = new DMatrixRMaj(m);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, true);
        assertThat(eig.decompose(a)).isTrue();
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            min = Math.min(min, eig.getEigenvalue(i).getReal());
        }
        return min;
    }

    @Test
    void tanimotoIsSharedOverUnionAndOneOnIdenticalFingerprints() {
        assertThat(Fingerprints.tanimoto(bits(1, 2, 3), bits(2, 3, 4))).isEqualTo(0.5);
        assertThat(Fingerprints.tanimoto(bits(1, 2), bits(3, 4))).isZero();
        assertThat(Fingerprints.tanimoto(bits(5, 9, 11), bits(5, 9, 11))).isEqualTo(1.0);
        assertThat(Fingerprints.tanimoto(bits(), bits())).isEqualTo(1.0);
        assertThat(Fingerprints.tanimoto(bits(1, 7), bits(1, 2, 3, 7)))
                .isEqualTo(Fingerprints.tanimoto(bits(1, 2, 3, 7), bits(1, 7)));
    }

    @Test
    void tanimotoGramMatrixIsPositiveSemiDefinite() {
        BitSet[] fps = randomFingerprints(30, 7);
        double[][] gram = new double[fps.length][fps.length];
        for (int i = 0; i < fps.length; i++) {
            for (int j = 0; j < fps.length; j++) {
                gram[i][j] = Fingerprints.tanimoto(fps[i], fps[j]);
            }
            assertThat(gram[i][i]).isEqualTo(1.0);
        }
        assertThat(smallestEigenvalue(gram)).isGreaterThan(-1e-10);
    }

    @Test
    void maternOnTheTanimotoDistanceIsPositiveSemiDefinite() {
        BitSet[] fps = randomFingerprints(25, 11);
        double[][] distances = new double[fps.length][fps.length];
        for (int i = 0; i < fps.length; i++) {
            for (int j = 0; j < fps.length; j++) {
                distances[i][j] = 1 - Fingerprints.tanimoto(fps[i], fps[j]);
            }
        }
        Metric metric = Metric.of(new double[][][] {distances, null});
        SplittableRandom r = new SplittableRandom(3);
        double[][] x = new double[40][];
        for (int i = 0; i < x.length; i++) {
            x[i] = new double[] {r.nextInt(fps.length), r.nextDouble()};
        }
        for (double ls : new double[] {0.05, 0.3, 1, 5}) {
            double[][] k = new double[x.length][x.length];
            for (int i = 0; i < x.length; i++) {
                for (int j = 0; j < x.length; j++) {
                    k[i][j] = Gp.matern(Math.sqrt(metric.scaledSquared(x[i], x[j], new double[] {ls, 0.5})));
                }
            }
            assertThat(smallestEigenvalue(k)).as("lengthscale " + ls).isGreaterThan(-1e-9);
        }
    }

    @Test
    void plainMetricIsTheSquaredEuclideanDistance() {
        Metric plain = Metric.of(new double[][][] {null, null});
        assertThat(plain.isEuclidean()).isTrue();
        assertThat(plain.squared(new double[] {0.1, 0.5}, new double[] {0.4, 0.1}))
                .isCloseTo(0.25, within(1e-12));
        assertThat(plain.scaledSquared(new double[] {0.1, 0.5}, new double[] {0.4, 0.1}, new double[] {0.5, 2}))
                .isCloseTo(0.36 + 0.04, within(1e-12));
    }

    @Test
    void tanimotoEncodingKeepsOneLevelFeaturePerMoleculeAndMeasuresOneMinusTanimoto() {
        SearchSpace space =
                new SearchSpace(List.of(new ContinuousParameter("temp", new Bound(20, 120), "degC"), SOLVENT));
        Encoding enc = Encoding.of(space, Encoding.MoleculeMode.TANIMOTO, 4);
        assertThat(enc.dims()).isEqualTo(2);
        assertThat(enc.metric().isEuclidean()).isFalse();
        double[] dmac = enc.encode(space.point(java.util.Map.of("temp", 20.0, "solvent", "DMAc")));
        double[] xylene = enc.encode(space.point(java.util.Map.of("temp", 120.0, "solvent", "p-xylene")));
        assertThat(dmac).containsExactly(0, 0);
        assertThat(xylene).containsExactly(1, 2);
        BitSet a = Fingerprints.ecfp4("solvent", "DMAc", "CC(N(C)C)=O");
        BitSet b = Fingerprints.ecfp4("solvent", "p-xylene", "CC1=CC=C(C)C=C1");
        assertThat(enc.metric().squared(dmac, xylene)).isCloseTo(1 + 1 - Fingerprints.tanimoto(a, b), within(1e-12));
        assertThat(enc.metric().squared(dmac, dmac)).isZero();
    }

    @Test
    void aGpOnTanimotoFeaturesInterpolatesItsDataAndIsSeeded() {
        SearchSpace space =
                new SearchSpace(List.of(new ContinuousParameter("temp", new Bound(20, 120), "degC"), SOLVENT));
        Encoding enc = Encoding.of(space, Encoding.MoleculeMode.TANIMOTO, 4);
        double[][] x = new double[12][];
        double[] y = new double[12];
        for (int i = 0; i < x.length; i++) {
            x[i] = new double[] {(i % 3) / 2.0, i % 4};
            y[i] = x[i][0] + (i % 4 == 2 ? 3 : 0);
        }
        Gp a = Gp.fit(x, y, 3, new SplittableRandom(5), enc.metric());
        Gp b = Gp.fit(x, y, 3, new SplittableRandom(5), enc.metric());
        assertThat(b.hyper().lengthscales()).containsExactly(a.hyper().lengthscales());
        double[] mean = new double[x.length];
        double[] var = new double[x.length];
        a.predictAll(x, mean, var);
        for (int i = 0; i < x.length; i++) {
            assertThat(mean[i]).isCloseTo(y[i], within(0.5));
        }
    }
}

package org.labloop.planner;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.labloop.space.CategoricalParameter;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.DescriptorTable;
import org.labloop.space.DiscreteParameter;
import org.labloop.space.MoleculeParameter;
import org.labloop.space.Parameter;
import org.labloop.space.Point;
import org.labloop.space.SearchSpace;

/**
 * Turns points of a search space into feature vectors in the unit cube for the surrogate model. Each point also has a
 * "design" vector with one entry per parameter: the unit value of a continuous parameter, or the level index of a
 * discrete, categorical or molecule one. Continuous and discrete parameters become one feature each, scaled to [0, 1];
 * categorical ones are one-hot; molecule ones are ECFP4 fingerprints of their choices reduced by PCA to a few
 * dimensions, each scaled to [0, 1], or (mode DESCRIPTORS) their standardised {@link Descriptors} reduced the same
 * way, or (mode TANIMOTO) one feature holding the level index, which the kernel compares through the Tanimoto
 * similarity of the fingerprints (see {@link #metric()}).
 */
final class Encoding {
    /** How molecule parameters are encoded. */
    enum MoleculeMode {
        FINGERPRINT,
        ONEHOT,
        TANIMOTO,
        DESCRIPTORS
    }

    private final SearchSpace space;
    private final List<Codec> codecs;
    private final int dims;
    private final Metric metric;

    private Encoding(SearchSpace space, List<Codec> codecs) {
        this.space = space;
        this.codecs = codecs;
        int d = 0;
        for (Codec c : codecs) {
            d += c.width();
        }
        this.dims = d;
        double[][][] tables = new double[Math.max(1, d)][][];
        for (Codec c : codecs) {
            if (c.distances() != null) {
                tables[c.offset()] = c.distances();
            }
        }
        this.metric = Metric.of(tables);
    }

    /** Share of the fingerprints' variance that {@link #AUTO_DIMS} keeps. */
    static final double AUTO_VARIANCE = 0.95;

    /** {@code moleculeDims} value: as many principal components as explain {@link #AUTO_VARIANCE} of the variance. */
    static final int AUTO_DIMS = 0;

    static Encoding of(SearchSpace space, MoleculeMode mode, int moleculeDims) {
        List<Codec> codecs = new ArrayList<>();
        int offset = 0;
        for (Parameter p : space.parameters()) {
            Codec c = p.descriptors().isPresent()
                    ? table(p.name(), choiceNames(p), p.descriptors().get(), offset, moleculeDims)
                    : switch (p) {
                        case ContinuousParameter cp ->
                            new Codec(p.name(), offset, cp.bound().width() == 0 ? 0 : 1, null, null);
                        case DiscreteParameter dp -> discrete(dp, offset);
                        case CategoricalParameter cp -> oneHot(p.name(), cp.choices(), offset);
                        case MoleculeParameter mp ->
                            switch (mode) {
                                case ONEHOT ->
                                    oneHot(
                                            p.name(),
                                            mp.choices().stream()
                                                    .map(MoleculeParameter.Molecule::name)
                                                    .toList(),
                                            offset);
                                case FINGERPRINT -> molecule(mp, offset, moleculeDims);
                                case TANIMOTO -> tanimoto(mp, offset);
                                case DESCRIPTORS -> descriptors(mp, offset, moleculeDims);
                            };
                    };
            codecs.add(c);
            offset += c.width();
        }
        return new Encoding(space, List.copyOf(codecs));
    }

    SearchSpace space() {
        return space;
    }

    /** Squared distances per feature for the kernel: plain ones, or Tanimoto ones for molecules in mode TANIMOTO. */
    Metric metric() {
        return metric;
    }

    /** Number of features; at least 1 (a space of constants gets one constant feature). */
    int dims() {
        return Math.max(1, dims);
    }

    int parameters() {
        return codecs.size();
    }

    /** Number of levels of parameter {@code i}, or 0 for a continuous one. */
    int levels(int i) {
        return codecs.get(i).table() == null ? 0 : codecs.get(i).table().length;
    }

    boolean isContinuous(int i) {
        return codecs.get(i).table() == null;
    }

    double[] design(Point p) {
        double[] u = new double[codecs.size()];
        List<Parameter> params = space.parameters();
        for (int i = 0; i < u.length; i++) {
            Parameter param = params.get(i);
            Object v = p.values().get(param.name());
            if (v == null) {
                throw new PlanningException("point " + p.values() + " has no value for " + param.name());
            }
            if (param instanceof ContinuousParameter cp) {
                if (!(v instanceof Double d)) {
                    throw new PlanningException(param.name() + " = " + v + " is not a number");
                }
                u[i] = cp.bound().toUnit(d);
            } else {
                Integer level = codecs.get(i).levelOf().get(v);
                if (level == null) {
                    throw new PlanningException(
                            param.reject(v) == null ? param.name() + " = " + v + " is unknown" : param.reject(v));
                }
                u[i] = level;
            }
        }
        return u;
    }

    double[] features(double[] design) {
        double[] f = new double[dims()];
        for (int i = 0; i < codecs.size(); i++) {
            Codec c = codecs.get(i);
            if (c.width() == 0) {
                continue;
            }
            if (c.table() == null) {
                f[c.offset()] = design[i];
            } else {
                double[] row = c.table()[(int) design[i]];
                System.arraycopy(row, 0, f, c.offset(), c.width());
            }
        }
        return f;
    }

    double[] encode(Point p) {
        return features(design(p));
    }

    Point point(double[] design) {
        Map<String, Object> values = new LinkedHashMap<>();
        List<Parameter> params = space.parameters();
        for (int i = 0; i < design.length; i++) {
            Parameter param = params.get(i);
            int level = (int) design[i];
            Object v = switch (param) {
                case ContinuousParameter cp -> cp.bound().fromUnit(Math.min(1, Math.max(0, design[i])));
                case DiscreteParameter dp -> dp.values().get(level);
                case CategoricalParameter cp -> cp.choices().get(level);
                case MoleculeParameter mp -> mp.choices().get(level).name();
            };
            values.put(param.name(), v);
        }
        return new Point(values);
    }

    /** {@code distances}: squared distances between levels when the one feature is a level index, else null. */
    private record Codec(
            String name, int offset, int width, double[][] table, Map<Object, Integer> levelOf, double[][] distances) {
        Codec(String name, int offset, int width, double[][] table, Map<Object, Integer> levelOf) {
            this(name, offset, width, table, levelOf, null);
        }
    }

    private static Codec discrete(DiscreteParameter dp, int offset) {
        List<Double> values = dp.values();
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double[][] table = new double[values.size()][];
        Map<Object, Integer> levelOf = new HashMap<>();
        for (int i = 0; i < values.size(); i++) {
            table[i] = max > min ? new double[] {(values.get(i) - min) / (max - min)} : new double[0];
            levelOf.put(values.get(i), i);
        }
        return new Codec(dp.name(), offset, max > min ? 1 : 0, table, levelOf);
    }

    private static Codec oneHot(String name, List<String> choices, int offset) {
        int k = choices.size();
        int width = k >= 2 ? k : 0;
        double[][] table = new double[k][width];
        Map<Object, Integer> levelOf = new HashMap<>();
        for (int i = 0; i < k; i++) {
            if (width > 0) {
                table[i][i] = 1;
            }
            levelOf.put(choices.get(i), i);
        }
        return new Codec(name, offset, width, table, levelOf);
    }

    /**
     * One feature, the level index; the kernel measures the squared distance between two choices as {@code 1 - T},
     * T the Tanimoto similarity of their ECFP4 fingerprints.
     */
    private static Codec tanimoto(MoleculeParameter mp, int offset) {
        int k = mp.choices().size();
        BitSet[] fps = fingerprints(mp);
        Map<Object, Integer> levelOf = new HashMap<>();
        double[][] table = new double[k][];
        double[][] distances = new double[k][k];
        for (int i = 0; i < k; i++) {
            levelOf.put(mp.choices().get(i).name(), i);
            table[i] = k >= 2 ? new double[] {i} : new double[0];
            for (int j = 0; j < i; j++) {
                double d = 1 - Fingerprints.tanimoto(fps[i], fps[j]);
                distances[i][j] = d;
                distances[j][i] = d;
            }
        }
        return new Codec(mp.name(), offset, k >= 2 ? 1 : 0, table, levelOf, k >= 2 ? distances : null);
    }

    private static BitSet[] fingerprints(MoleculeParameter mp) {
        int k = mp.choices().size();
        BitSet[] fps = new BitSet[k];
        for (int i = 0; i < k; i++) {
            MoleculeParameter.Molecule m = mp.choices().get(i);
            fps[i] = Fingerprints.ecfp4(mp.name(), m.name(), m.smiles());
        }
        return fps;
    }

    /** Fingerprints of the choices, projected on their principal components, each scaled to [0, 1]. */
    private static Codec molecule(MoleculeParameter mp, int offset, int maxDims) {
        int k = mp.choices().size();
        List<String> names =
                mp.choices().stream().map(MoleculeParameter.Molecule::name).toList();
        BitSet[] fps = fingerprints(mp);
        double[][] scores = maxDims == AUTO_DIMS
                ? principalScores(fps, k - 1, AUTO_VARIANCE)
                : principalScores(fps, Math.min(maxDims, k - 1));
        return scaled(mp.name(), names, scores, offset);
    }

    private static List<String> choiceNames(Parameter p) {
        return switch (p) {
            case CategoricalParameter cp -> cp.choices();
            case MoleculeParameter mp ->
                mp.choices().stream().map(MoleculeParameter.Molecule::name).toList();
            default -> throw new IllegalArgumentException("parameter " + p.name() + " has no choices");
        };
    }

    /**
     * A user's descriptor table: its columns standardised over the parameter's choices (a column that is the same for
     * all is dropped), projected on their principal components (at most {@code maxDims}), each scaled to [0, 1].
     */
    private static Codec table(String name, List<String> names, DescriptorTable t, int offset, int maxDims) {
        int k = names.size();
        double[][] rows = new double[k][];
        for (int i = 0; i < k; i++) {
            rows[i] = t.of(names.get(i));
        }
        double[][] table = standardised(rows);
        double[][] scores = maxDims == AUTO_DIMS
                ? principalScores(table, k - 1, AUTO_VARIANCE)
                : principalScores(table, Math.min(maxDims, k - 1), 1);
        return scaled(name, names, scores, offset);
    }

    /**
     * The {@link Descriptors} of the choices, each standardised over the choices (a descriptor that is the same for
     * all is dropped), projected on their principal components, each scaled to [0, 1].
     */
    private static Codec descriptors(MoleculeParameter mp, int offset, int maxDims) {
        int k = mp.choices().size();
        List<String> names =
                mp.choices().stream().map(MoleculeParameter.Molecule::name).toList();
        double[][] table = standardised(descriptorTable(mp));
        double[][] scores = maxDims == AUTO_DIMS
                ? principalScores(table, k - 1, AUTO_VARIANCE)
                : principalScores(table, Math.min(maxDims, k - 1), 1);
        return scaled(mp.name(), names, scores, offset);
    }

    /** Descriptors (one row per choice) of a molecule parameter's choices. */
    static double[][] descriptorTable(MoleculeParameter mp) {
        double[][] rows = new double[mp.choices().size()][];
        for (int i = 0; i < rows.length; i++) {
            MoleculeParameter.Molecule m = mp.choices().get(i);
            rows[i] = Descriptors.of(mp.name(), m.name(), m.smiles());
        }
        return rows;
    }

    /** Each column centred and divided by its (population) standard deviation; a constant column becomes 0. */
    static double[][] standardised(double[][] rows) {
        int k = rows.length;
        int n = k == 0 ? 0 : rows[0].length;
        double[][] out = new double[k][n];
        for (int c = 0; c < n; c++) {
            double mean = 0;
            for (double[] row : rows) {
                mean += row[c] / k;
            }
            double var = 0;
            for (double[] row : rows) {
                var += (row[c] - mean) * (row[c] - mean) / k;
            }
            double sd = Math.sqrt(var);
            boolean constant = !(sd > 1e-12 * Math.max(1, Math.abs(mean)));
            for (int i = 0; i < k; i++) {
                out[i][c] = constant ? 0 : (rows[i][c] - mean) / sd;
            }
        }
        return out;
    }

    /** Scores scaled column by column to [0, 1]; one-hot when there are no scores. */
    private static Codec scaled(String name, List<String> names, double[][] scores, int offset) {
        int k = names.size();
        if (k < 2 || scores[0].length == 0) {
            return oneHot(name, names, offset);
        }
        int width = scores[0].length;
        for (int c = 0; c < width; c++) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double[] row : scores) {
                min = Math.min(min, row[c]);
                max = Math.max(max, row[c]);
            }
            for (double[] row : scores) {
                row[c] = (row[c] - min) / (max - min);
            }
        }
        Map<Object, Integer> levelOf = new HashMap<>();
        for (int i = 0; i < k; i++) {
            levelOf.put(names.get(i), i);
        }
        return new Codec(name, offset, width, scores, levelOf);
    }

    /** PCA scores (k rows) of binary fingerprints, at most {@code maxDims} components with non-negligible variance. */
    static double[][] principalScores(BitSet[] fps, int maxDims) {
        return principalScores(fps, maxDims, 1);
    }

    /**
     * PCA scores keeping the fewest leading components that explain at least {@code share} of the total variance (and
     * at most {@code maxDims}).
     */
    static double[][] principalScores(BitSet[] fps, int maxDims, double share) {
        double[][] rows = new double[fps.length][Fingerprints.BITS];
        for (int i = 0; i < fps.length; i++) {
            for (int b = fps[i].nextSetBit(0); b >= 0; b = fps[i].nextSetBit(b + 1)) {
                rows[i][b] = 1;
            }
        }
        return principalScores(rows, maxDims, share);
    }

    /**
     * PCA scores (one row per row of {@code rows}, which are centred first) keeping the fewest leading components that
     * explain at least {@code share} of the total variance (and at most {@code maxDims}).
     */
    static double[][] principalScores(double[][] rows, int maxDims, double share) {
        int k = rows.length;
        if (k < 2 || maxDims < 1) {
            return new double[k][0];
        }
        int bits = rows[0].length;
        double[] colMean = new double[bits];
        for (double[] row : rows) {
            for (int b = 0; b < bits; b++) {
                if (row[b] != 0) {
                    colMean[b] += row[b] / k;
                }
            }
        }
        // Gram matrix of the centred rows: G_ij = sum_b (x_ib - m_b)(x_jb - m_b).
        DMatrixRMaj gram = new DMatrixRMaj(k, k);
        double[][] centred = new double[k][bits];
        for (int i = 0; i < k; i++) {
            for (int b = 0; b < bits; b++) {
                centred[i][b] = rows[i][b] - colMean[b];
            }
        }
        for (int i = 0; i < k; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int b = 0; b < bits; b++) {
                    s += centred[i][b] * centred[j][b];
                }
                gram.set(i, j, s);
                gram.set(j, i, s);
            }
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(k, true, true);
        if (!eig.decompose(gram.copy())) {
            throw new PlanningException("the PCA of molecule encodings failed");
        }
        double total = 0;
        List<double[]> comps = new ArrayList<>(); // {eigenvalue, index}
        for (int i = 0; i < eig.getNumberOfEigenvalues(); i++) {
            double lambda = eig.getEigenvalue(i).getReal();
            total += Math.max(0, lambda);
            comps.add(new double[] {lambda, i});
        }
        comps.sort((a, b) -> Double.compare(b[0], a[0]));
        List<double[]> columns = new ArrayList<>();
        double explained = 0;
        for (double[] c : comps) {
            if (columns.size() >= maxDims || !(c[0] > 1e-9 * total) || explained >= share * total) {
                break;
            }
            explained += c[0];
            DMatrixRMaj v = eig.getEigenVector((int) c[1]);
            double[] col = new double[k];
            double sqrt = Math.sqrt(c[0]);
            int argMax = 0;
            for (int i = 0; i < k; i++) {
                col[i] = v.get(i, 0) * sqrt;
                if (Math.abs(col[i]) > Math.abs(col[argMax]) + 1e-12) {
                    argMax = i;
                }
            }
            if (col[argMax] < 0) {
                for (int i = 0; i < k; i++) {
                    col[i] = -col[i];
                }
            }
            columns.add(col);
        }
        double[][] scores = new double[k][columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            for (int i = 0; i < k; i++) {
                scores[i][c] = columns.get(c)[i];
            }
        }
        return scores;
    }
}

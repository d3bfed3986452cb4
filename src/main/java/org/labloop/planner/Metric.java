package org.labloop.planner;

/**
 * Squared distance per feature, for the kernel: {@code (a - b)^2} for an ordinary feature in the unit cube, or a
 * lookup in a table of squared distances between levels for a feature that holds a level index (a molecule parameter
 * compared by the Tanimoto similarity of its fingerprints, {@code 1 - T(a, b)}). Each table has zeros on its diagonal
 * and entries in [0, 1], so every feature spans the same range of squared distances as a unit-cube one.
 */
final class Metric {
    /** Plain squared differences on every feature. */
    static final Metric EUCLIDEAN = new Metric(new double[0][][]);

    private final double[][][]
            tables; // per feature: null for (a - b)^2; shorter than the features when trailing ones are plain

    private Metric(double[][][] tables) {
        this.tables = tables;
    }

    /** A metric with {@code tables[q]} the squared distances between the levels of feature {@code q} (null: plain). */
    static Metric of(double[][][] tables) {
        boolean any = false;
        for (double[][] t : tables) {
            any |= t != null;
        }
        return any ? new Metric(tables.clone()) : EUCLIDEAN;
    }

    boolean isEuclidean() {
        return tables.length == 0;
    }

    /** Squared distance between values {@code a} and {@code b} of feature {@code q}. */
    double squared(int q, double a, double b) {
        double[][] t = q < tables.length ? tables[q] : null;
        if (t == null) {
            double d = a - b;
            return d * d;
        }
        return t[(int) a][(int) b];
    }

    /** Squared distance between two feature vectors. */
    double squared(double[] a, double[] b) {
        double s = 0;
        for (int q = 0; q < a.length; q++) {
            s += squared(q, a[q], b[q]);
        }
        return s;
    }

    /** Squared distance between two feature vectors with each feature divided by its lengthscale. */
    double scaledSquared(double[] a, double[] b, double[] ls) {
        double s = 0;
        if (tables.length == 0) {
            for (int q = 0; q < a.length; q++) {
                double d = (a[q] - b[q]) / ls[q];
                s += d * d;
            }
            return s;
        }
        for (int q = 0; q < a.length; q++) {
            s += squared(q, a[q], b[q]) / (ls[q] * ls[q]);
        }
        return s;
    }
}

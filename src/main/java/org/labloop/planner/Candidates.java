package org.labloop.planner;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.labloop.space.Point;

/**
 * The points a planner may choose from: a finite pool (with its designs and features computed once, memory linear
 * in its size), or a whole search space that is sampled on demand. Tracks which points are taken (measured, pending
 * or already chosen in this batch).
 */
final class Candidates {
    private final Encoding encoding;
    private final Set<Point> taken;
    private final List<Point> points; // null for a whole space
    private final double[][] designs;
    private final double[][] features;
    private final boolean[] free;
    private final List<double[]> anchors;

    private Candidates(
            Encoding encoding,
            Set<Point> taken,
            List<Point> points,
            double[][] designs,
            double[][] features,
            boolean[] free,
            List<double[]> anchors) {
        this.encoding = encoding;
        this.taken = taken;
        this.points = points;
        this.designs = designs;
        this.features = features;
        this.free = free;
        this.anchors = anchors;
    }

    static Candidates pool(Encoding enc, List<Point> pool, Set<Point> taken) {
        int m = pool.size();
        double[][] designs = new double[m][];
        double[][] features = new double[m][];
        boolean[] free = new boolean[m];
        Set<Point> seen = new HashSet<>();
        for (int i = 0; i < m; i++) {
            Point p = pool.get(i);
            designs[i] = enc.design(p);
            features[i] = enc.features(designs[i]);
            free[i] = !taken.contains(p) && seen.add(p);
        }
        return new Candidates(enc, new HashSet<>(taken), pool, designs, features, free, List.of());
    }

    /** A whole space; {@code anchors} are designs (e.g. of the best observations) to search around. */
    static Candidates space(Encoding enc, Set<Point> taken, List<double[]> anchors) {
        return new Candidates(enc, new HashSet<>(taken), null, null, null, null, List.copyOf(anchors));
    }

    boolean isPool() {
        return points != null;
    }

    Encoding encoding() {
        return encoding;
    }

    int size() {
        return points.size();
    }

    int free() {
        int n = 0;
        for (boolean f : free) {
            n += f ? 1 : 0;
        }
        return n;
    }

    double[][] features() {
        return features;
    }

    double[] design(int i) {
        return designs[i];
    }

    Point point(int i) {
        return points.get(i);
    }

    boolean isFree(int i) {
        return free[i];
    }

    boolean isTaken(Point p) {
        return taken.contains(p);
    }

    void take(int i) {
        free[i] = false;
        taken.add(points.get(i));
    }

    /** Marks {@code p} as taken (and every pool entry equal to it as no longer free). */
    void exclude(Point p) {
        taken.add(p);
        if (points != null) {
            for (int i = 0; i < points.size(); i++) {
                if (free[i] && points.get(i).equals(p)) {
                    free[i] = false;
                }
            }
        }
    }

    /**
     * A finite sample of this space: half uniform random designs, half perturbations of the anchors (all uniform when
     * there are none). Points already taken, and repeats of a point drawn before, are kept but marked not free.
     */
    Candidates sample(RandomGenerator random, int n) {
        int p = encoding.parameters();
        List<Point> pts = new ArrayList<>(n);
        double[][] ds = new double[n][];
        double[][] fs = new double[n][];
        boolean[] fr = new boolean[n];
        Set<Point> distinct = new HashSet<>();
        for (int s = 0; s < n; s++) {
            double[] d = new double[p];
            if (anchors.isEmpty() || s < n / 2) {
                for (int i = 0; i < p; i++) {
                    d[i] = encoding.isContinuous(i)
                            ? random.nextDouble()
                            : random.nextInt(Math.max(1, encoding.levels(i)));
                }
            } else {
                double[] a = anchors.get(s % anchors.size());
                double scale = s % 3 == 0 ? 0.02 : (s % 3 == 1 ? 0.08 : 0.2);
                for (int i = 0; i < p; i++) {
                    if (encoding.isContinuous(i)) {
                        d[i] = Math.min(1, Math.max(0, a[i] + scale * random.nextGaussian()));
                    } else if (random.nextDouble() < 1.0 / p) {
                        d[i] = random.nextInt(Math.max(1, encoding.levels(i)));
                    } else {
                        d[i] = a[i];
                    }
                }
            }
            ds[s] = d;
            fs[s] = encoding.features(d);
            Point pt = encoding.point(d);
            pts.add(pt);
            fr[s] = !taken.contains(pt) && distinct.add(pt); // a repeated draw of a discrete space is not a new point
        }
        return new Candidates(encoding, taken, pts, ds, fs, fr, List.of());
    }
}

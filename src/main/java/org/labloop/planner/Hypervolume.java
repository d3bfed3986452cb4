package org.labloop.planner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Exact hypervolume of a set of objective vectors for one, two or three objectives: the measure of the region that the
 * points dominate and that dominates the reference point. Points that do not dominate the reference contribute
 * nothing.
 */
public final class Hypervolume {
    private Hypervolume() {}

    /** Hypervolume with every objective minimised. */
    public static double of(double[][] points, double[] reference) {
        boolean[] minimise = new boolean[reference.length];
        Arrays.fill(minimise, true);
        return of(points, reference, minimise);
    }

    /** Hypervolume with objective i minimised when {@code minimise[i]}, otherwise maximised. */
    public static double of(double[][] points, double[] reference, boolean[] minimise) {
        int d = reference.length;
        if (d < 1 || d > 3) {
            throw new IllegalArgumentException("exact hypervolume is implemented for 1 to 3 objectives, got " + d);
        }
        if (minimise.length != d) {
            throw new IllegalArgumentException("reference has " + d + " values but " + minimise.length + " directions");
        }
        for (double r : reference) {
            if (!Double.isFinite(r)) {
                throw new IllegalArgumentException("the reference point must be finite: " + Arrays.toString(reference));
            }
        }
        // Flip to minimisation and shift so the reference is the origin's upper corner: keep strictly better points.
        List<double[]> pts = new ArrayList<>();
        for (double[] p : points) {
            if (p.length != d) {
                throw new IllegalArgumentException(
                        "point " + Arrays.toString(p) + " has " + p.length + " objectives; the reference has " + d);
            }
            double[] q = new double[d];
            boolean inside = true;
            for (int i = 0; i < d; i++) {
                if (!Double.isFinite(p[i])) {
                    inside = false;
                    break;
                }
                q[i] = minimise[i] ? p[i] - reference[i] : reference[i] - p[i];
                inside &= q[i] < 0;
            }
            if (inside) {
                pts.add(q);
            }
        }
        if (pts.isEmpty()) {
            return 0;
        }
        return switch (d) {
            case 1 -> -pts.stream().mapToDouble(q -> q[0]).min().orElseThrow();
            case 2 -> area(pts);
            default -> volume(pts);
        };
    }

    /** Area dominated by 2-D points (minimised, all negative) up to the origin. */
    private static double area(List<double[]> pts) {
        List<double[]> sorted = new ArrayList<>(pts);
        sorted.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
        double area = 0;
        double bestY = 0; // the reference
        for (int i = 0; i < sorted.size(); i++) {
            double[] p = sorted.get(i);
            if (p[1] >= bestY) {
                continue; // dominated
            }
            // From p's x to the next non-dominated point's x (or the reference), height -p[1]... computed as a strip.
            bestY = p[1];
            double nextX = 0;
            for (int j = i + 1; j < sorted.size(); j++) {
                if (sorted.get(j)[1] < bestY) {
                    nextX = sorted.get(j)[0];
                    break;
                }
            }
            area += (nextX - p[0]) * (-bestY);
        }
        return area;
    }

    /** Volume dominated by 3-D points: slabs between successive third coordinates, each a 2-D area. */
    private static double volume(List<double[]> pts) {
        List<double[]> sorted = new ArrayList<>(pts);
        sorted.sort(Comparator.comparingDouble(p -> p[2]));
        double volume = 0;
        List<double[]> active = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            active.add(sorted.get(i));
            double z = sorted.get(i)[2];
            double nextZ = i + 1 < sorted.size() ? sorted.get(i + 1)[2] : 0;
            if (nextZ > z) {
                volume += area(active) * (nextZ - z);
            }
        }
        return volume;
    }
}

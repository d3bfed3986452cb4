package org.labloop.space;

/** A closed interval [min, max] of finite numbers. */
public record Bound(double min, double max) {
    public Bound {
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("bound must be finite, got [" + min + ", " + max + "]");
        }
        if (min > max) {
            throw new IllegalArgumentException("bound min " + min + " is greater than max " + max);
        }
    }

    public boolean contains(double x) {
        return x >= min && x <= max;
    }

    public double width() {
        return max - min;
    }

    /** Maps x from this interval to [0, 1]; a zero-width bound maps everything to 0.5. */
    public double toUnit(double x) {
        return width() == 0 ? 0.5 : (x - min) / width();
    }

    public double fromUnit(double u) {
        return min + u * width();
    }
}

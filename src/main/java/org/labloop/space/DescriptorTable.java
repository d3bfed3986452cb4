package org.labloop.space;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Numbers that describe each choice of a categorical or molecule parameter (a solvent's dielectric constant and boiling
 * point, a ligand's cone angle), as a user supplies them: planners may encode the choices by these instead of as
 * unrelated labels. {@code source} says where the table came from.
 */
public record DescriptorTable(String source, List<String> columns, Map<String, List<Double>> values) {
    public DescriptorTable {
        java.util.Objects.requireNonNull(source, "source");
        columns = List.copyOf(columns);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException(source + ": a descriptor table needs at least one numeric column");
        }
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        for (Map.Entry<String, List<Double>> e : values.entrySet()) {
            List<Double> row = List.copyOf(e.getValue());
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException(source + ": choice '" + e.getKey() + "' has " + row.size()
                        + " descriptors but the table has " + columns.size() + " columns");
            }
            for (int c = 0; c < row.size(); c++) {
                if (!Double.isFinite(row.get(c))) {
                    throw new IllegalArgumentException(source + ": descriptor " + columns.get(c) + " of choice '"
                            + e.getKey() + "' is " + row.get(c) + "; descriptors must be finite numbers");
                }
            }
            copy.put(e.getKey(), row);
        }
        values = Collections.unmodifiableMap(copy);
    }

    /** The descriptors of {@code choice}, in column order. */
    public double[] of(String choice) {
        List<Double> row = values.get(choice);
        if (row == null) {
            throw new IllegalArgumentException(source + " has no row for '" + choice + "'");
        }
        return row.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Checks that every one of {@code choices} of parameter {@code parameter} has a row. */
    void checkCovers(String parameter, List<String> choices) {
        Set<String> have = values.keySet();
        List<String> missing = choices.stream().filter(c -> !have.contains(c)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(
                    source + " has no row for " + missing + " of parameter " + parameter + "; it has " + have);
        }
    }
}

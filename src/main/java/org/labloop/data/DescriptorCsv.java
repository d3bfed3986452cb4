package org.labloop.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.labloop.core.Problem;
import org.labloop.core.Table;
import org.labloop.space.DescriptorTable;

/**
 * A descriptor table as a CSV: the first column names the choices, every other column holds a number for each. Rows
 * for choices not asked for are ignored, so one table can serve many parameters and campaigns.
 */
public final class DescriptorCsv {
    private DescriptorCsv() {}

    /**
     * What reading {@code table} for {@code choices} gave: the table (null when there are problems or missing choices),
     * problems at their lines of the CSV, and the choices it has no row for.
     */
    public record Read(DescriptorTable table, List<Problem> problems, List<String> missing) {}

    public static Read read(Table table, List<String> choices) {
        List<Problem> problems = new ArrayList<>();
        List<String> columns = table.columns();
        if (columns.size() < 2) {
            problems.add(new Problem(
                    table.source(),
                    1,
                    0,
                    "a descriptor table needs the choices' names in its first column and at least one column of"
                            + " numbers after it; this one has " + columns.size() + " column",
                    "for example: solvent,dielectric,boiling_point_C"));
            return new Read(null, problems, List.of());
        }
        for (String column : columns.subList(1, columns.size())) {
            if (table.size() == 0 || table.firstNonNumber(column).isPresent()) {
                problems.add(new Problem(
                        table.source(),
                        table.size() == 0
                                ? 1
                                : table.line(table.firstNonNumber(column).getAsInt()),
                        0,
                        "descriptor column '" + column + "' is not numeric (" + table.notNumeric(column) + ")",
                        "every column after the first holds a finite number for each choice"));
            }
        }
        Map<String, Integer> rowOf = new HashMap<>();
        for (int r = 0; r < table.size(); r++) {
            String name = table.rows().get(r).get(0).trim();
            Integer first = rowOf.putIfAbsent(name, r);
            if (first != null && choices.contains(name)) {
                problems.add(new Problem(
                        table.source(),
                        table.line(r),
                        0,
                        "choice '" + name + "' has a second row (the first is on line " + table.line(first) + ")",
                        "keep one row per choice"));
            }
        }
        List<String> missing =
                choices.stream().filter(c -> !rowOf.containsKey(c)).toList();
        if (!problems.isEmpty() || !missing.isEmpty()) {
            return new Read(null, problems, missing);
        }
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (String choice : choices) {
            List<String> row = table.rows().get(rowOf.get(choice));
            List<Double> numbers = new ArrayList<>();
            for (int c = 1; c < columns.size(); c++) {
                numbers.add(Double.parseDouble(row.get(c).trim()));
            }
            values.put(choice, numbers);
        }
        return new Read(
                new DescriptorTable(table.source(), columns.subList(1, columns.size()), values), problems, missing);
    }
}

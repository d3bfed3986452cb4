package org.labloop.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.labloop.campaign.SourceFile;
import org.labloop.core.InvalidInputException;
import org.labloop.core.Problem;
import org.labloop.core.Table;
import org.labloop.data.CsvTables;
import org.labloop.space.CategoricalParameter;
import org.labloop.space.DescriptorTable;
import org.labloop.space.MoleculeParameter;
import org.labloop.space.Parameter;
import org.labloop.space.SearchSpace;

/**
 * Reads the descriptor tables that categorical and molecule parameters name ({@code descriptors: solvents.csv}): a CSV
 * whose first column names the choices and whose other columns are numbers. Rows for choices the parameter does not
 * list are ignored, so one table can serve several campaigns.
 */
final class DescriptorTables {
    private DescriptorTables() {}

    /**
     * The space with each named table attached to its parameter. Problems with a table's content go to {@code
     * problems} at their line of the CSV; a choice the table lacks, at the {@code descriptors} value in the campaign.
     */
    static SearchSpace attach(
            SearchSpace space,
            Map<String, CampaignParser.FileRef> refs,
            Map<String, SourceFile> files,
            Doc campaign,
            List<Problem> problems) {
        if (refs.isEmpty()) {
            return space;
        }
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : space.parameters()) {
            CampaignParser.FileRef ref = refs.get(p.name());
            SourceFile file = files.get(p.name());
            if (ref == null || file == null) {
                out.add(p); // no table, or one that could not be read (reported where it was read)
                continue;
            }
            List<String> choices = switch (p) {
                case CategoricalParameter c -> c.choices();
                case MoleculeParameter m ->
                    m.choices().stream().map(MoleculeParameter.Molecule::name).toList();
                default -> throw new IllegalStateException("descriptors on a numeric parameter " + p.name());
            };
            DescriptorTable table = read(p.name(), choices, file, ref, campaign, problems);
            out.add(
                    table == null
                            ? p
                            : switch (p) {
                                case CategoricalParameter c -> c.withDescriptors(table);
                                case MoleculeParameter m -> m.withDescriptors(table);
                                default -> p;
                            });
        }
        return new SearchSpace(out);
    }

    private static DescriptorTable read(
            String parameter,
            List<String> choices,
            SourceFile file,
            CampaignParser.FileRef ref,
            Doc campaign,
            List<Problem> problems) {
        Table table;
        try {
            table = CsvTables.parse(file.path(), file.text());
        } catch (InvalidInputException e) {
            problems.addAll(e.problems());
            return null;
        }
        List<String> columns = table.columns();
        if (columns.size() < 2) {
            problems.add(new Problem(
                    file.path(),
                    1,
                    0,
                    "a descriptor table needs the choices' names in its first column and at least one column of"
                            + " numbers after it; this one has " + columns.size() + " column",
                    "for example: solvent,dielectric,boiling_point_C"));
            return null;
        }
        int before = problems.size();
        for (String column : columns.subList(1, columns.size())) {
            if (table.firstNonNumber(column).isPresent() || table.size() == 0) {
                problems.add(new Problem(
                        file.path(),
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
                        file.path(),
                        table.line(r),
                        0,
                        "choice '" + name + "' has a second row (the first is on line " + table.line(first) + ")",
                        "keep one row per choice"));
            }
        }
        List<String> missing =
                choices.stream().filter(c -> !rowOf.containsKey(c)).toList();
        if (!missing.isEmpty()) {
            campaign.error(
                    ref.at(),
                    "descriptor table " + file.path() + " has no row for " + quoted(missing) + " of parameter '"
                            + parameter + "' (its first column, '" + columns.get(0) + "', names the choices)",
                    "add a row for each choice, spelt as in the campaign file");
        }
        if (problems.size() > before || !missing.isEmpty()) {
            return null;
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
        return new DescriptorTable(file.path(), columns.subList(1, columns.size()), values);
    }

    private static String quoted(List<String> names) {
        return names.stream()
                .map(n -> "'" + n + "'")
                .reduce((a, b) -> a + ", " + b)
                .orElse("");
    }
}

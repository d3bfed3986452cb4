package org.labloop.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.labloop.campaign.SourceFile;
import org.labloop.core.InvalidInputException;
import org.labloop.core.Problem;
import org.labloop.core.Table;
import org.labloop.data.CsvTables;
import org.labloop.data.DescriptorCsv;
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
        DescriptorCsv.Read read = DescriptorCsv.read(table, choices);
        problems.addAll(read.problems());
        if (!read.missing().isEmpty()) {
            campaign.error(
                    ref.at(),
                    "descriptor table " + file.path() + " has no row for " + quoted(read.missing()) + " of parameter '"
                            + parameter + "' (its first column, '"
                            + table.columns().get(0) + "', names the choices)",
                    "add a row for each choice, spelt as in the campaign file");
        }
        return read.table();
    }

    private static String quoted(List<String> names) {
        return names.stream()
                .map(n -> "'" + n + "'")
                .reduce((a, b) -> a + ", " + b)
                .orElse("");
    }
}

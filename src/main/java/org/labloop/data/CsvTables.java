package org.labloop.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.labloop.core.InvalidInputException;
import org.labloop.core.Problem;
import org.labloop.core.Table;

/** Reads CSV files (RFC 4180: quoted fields, doubled quotes, CRLF or LF, an optional UTF-8 byte-order mark). */
public final class CsvTables {
    private CsvTables() {}

    public static Table read(Path file) {
        return parse(file.toString(), readText(file));
    }

    /** The text of a CSV file, with the same errors as {@link #read}. */
    public static String readText(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(Problem.at(
                    file.toString(),
                    "file not found",
                    "check the path; relative paths start at " + Path.of("").toAbsolutePath()));
        } catch (IOException e) {
            throw new InvalidInputException(Problem.at(
                    file.toString(), "cannot read file: " + e.getMessage(), "check it exists and is readable"));
        }
        return text;
    }

    public static Table parse(String source, String text) {
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<List<String>> records = new ArrayList<>();
        // The line each record starts on: quoted newlines and skipped blank lines make it differ from its index.
        List<Integer> starts = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        int line = 1;
        int start = 1;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < n && text.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    cell.append(c);
                }
            } else if (c == '"' && cell.isEmpty()) {
                quoted = true;
            } else if (c == ',') {
                row.add(cell.toString());
                cell.setLength(0);
            } else if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                row.add(cell.toString());
                cell.setLength(0);
                addRecord(records, starts, row, start);
                row = new ArrayList<>();
                line++;
                start = line;
            } else {
                cell.append(c);
            }
            i++;
        }
        if (quoted) {
            throw new InvalidInputException(
                    new Problem(source, line, 0, "a quoted field is not closed", "add the closing \""));
        }
        if (!cell.isEmpty() || !row.isEmpty()) {
            row.add(cell.toString());
            addRecord(records, starts, row, start);
        }
        if (records.isEmpty()) {
            throw new InvalidInputException(Problem.at(source, "the file is empty", "a CSV needs a header row"));
        }
        List<String> header = records.get(0).stream().map(String::trim).toList();
        List<Problem> problems = new ArrayList<>();
        for (int r = 1; r < records.size(); r++) {
            if (records.get(r).size() != header.size()) {
                problems.add(new Problem(
                        source,
                        starts.get(r),
                        0,
                        "row has " + records.get(r).size() + " cells but the header has " + header.size(),
                        "check for a missing or extra comma"));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems.subList(0, Math.min(20, problems.size())));
        }
        try {
            int[] lines = starts.subList(1, starts.size()).stream()
                    .mapToInt(Integer::intValue)
                    .toArray();
            return new Table(source, header, records.subList(1, records.size()), lines);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new InvalidInputException(Problem.at(
                    source, m.startsWith(source + ": ") ? m.substring(source.length() + 2) : m, "fix the header row"));
        }
    }

    private static void addRecord(List<List<String>> records, List<Integer> starts, List<String> row, int start) {
        // Skip blank lines.
        if (row.size() == 1 && row.get(0).isEmpty()) {
            return;
        }
        records.add(row);
        starts.add(start);
    }
}

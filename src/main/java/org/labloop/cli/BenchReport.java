package org.labloop.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.labloop.core.InvalidInputException;

/**
 * Where a benchmark writes its JSON report. Checked before the benchmark runs, so that a path that cannot be written
 * costs no minutes of computing, and so that a mistyped path never replaces a table, a campaign's store or any other
 * file that is not an earlier report (unless {@code --force}); the benchmark's own input tables are never replaced.
 */
final class BenchReport {
    private BenchReport() {}

    static void checkTarget(Path json, boolean force, Path... inputs) {
        if (json == null) {
            return;
        }
        if (Files.isDirectory(json)) {
            throw InvalidInputException.of(
                    "--json " + json,
                    "is a folder, not a file",
                    "give a file name, e.g. --json " + json.resolve("bench.json"));
        }
        if (Files.exists(json) && !Files.isRegularFile(json)) {
            return; // a terminal or a pipe (/dev/stdout): written as a stream, nothing to replace
        }
        Path target;
        try {
            target = Files.exists(json) ? json.toRealPath() : ExportCommand.realParent(json);
            for (Path in : inputs) {
                if (in != null && Files.exists(in) && in.toRealPath().equals(target)) {
                    throw InvalidInputException.of(
                            "--json " + json,
                            "is the benchmark's input table " + in,
                            "write the report to another file");
                }
            }
        } catch (IOException e) {
            throw InvalidInputException.of("--json " + json, "cannot be resolved: " + e.getMessage(), "check the path");
        }
        if (Files.exists(target)) {
            if (!Files.isWritable(target)) {
                throw InvalidInputException.of(
                        "--json " + json, "cannot be written (no permission)", "choose another file");
            }
            if (!force && !isReport(target)) {
                throw InvalidInputException.of(
                        "--json " + json,
                        "exists and is not a LabLoop benchmark report",
                        "choose a new file name, or add --force to replace it");
            }
            return;
        }
        Path dir = target.getParent();
        while (dir != null && !Files.exists(dir)) {
            dir = dir.getParent();
        }
        if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw InvalidInputException.of(
                    "--json " + json,
                    "cannot be created: " + (dir == null ? "no folder" : dir) + " is not a writable folder",
                    "choose a file in a folder you can write to");
        }
    }

    /** Whether a file starts as a LabLoop benchmark report (or is empty), so replacing it loses nothing. */
    private static boolean isReport(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            String head = new String(in.readNBytes(64), StandardCharsets.UTF_8).replaceAll("\\s+", "");
            return head.isEmpty()
                    || head.startsWith("{\"config\":{\"data\":") // bench optimize
                    || head.startsWith("{\"summary\":{\"hypervolume\":") // bench snar
                    || head.startsWith("{\"scenarios\":[{\"name\":"); // bench schedule
        } catch (IOException e) {
            return false;
        }
    }
}

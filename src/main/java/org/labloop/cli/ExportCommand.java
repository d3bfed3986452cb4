package org.labloop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.labloop.campaign.CampaignState;
import org.labloop.config.CampaignLoader;
import org.labloop.core.InvalidInputException;
import org.labloop.data.Dataset;
import org.labloop.event.EventBody;
import org.labloop.event.EventLog;
import org.labloop.lab.Lab;
import org.labloop.lab.LabStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code labloop export [ID] --format csv|json [--out FILE] [--sources DIR]}: a campaign's dataset with provenance
 * (docs/export.md), and the files it was defined by.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Write a campaign's dataset (one row per experiment, with provenance) as CSV or JSON.")
final class ExportCommand implements Callable<Integer> {
    enum Format {
        csv,
        json
    }

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "ID",
            description = "Campaign id; may be left out when the store holds one campaign.")
    String id;

    @Option(
            names = "--format",
            paramLabel = "csv|json",
            description = "Output format (default: from the --out file's extension, .json or .csv; else csv).")
    Format format;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "Write to FILE instead of standard output. An existing file is replaced only if it is a"
                    + " LabLoop export (or with --force); never a file of the event store.")
    Path outFile;

    @Option(names = "--force", description = "Replace --out FILE even if it is not a LabLoop export.")
    boolean force;

    @Option(
            names = "--sources",
            paramLabel = "DIR",
            description = "Write the files the campaign was defined by (as stored in its log) into DIR, laid out as the"
                    + " campaign file refers to them: labloop run DIR/CAMPAIGN.yaml --seed N, with the seed it"
                    + " prints, reproduces it. The dataset is"
                    + " written as well only with --out or --format.")
    Path sourcesDir;

    @Mixin
    DataOption data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String text;
        Format chosen = format(format, outFile);
        if (outFile != null && outFile.toString().isBlank()) {
            throw InvalidInputException.of(
                    "--out", "the file name is empty", "give a file name, e.g. --out dataset.csv, or leave --out out");
        }
        if (sourcesDir != null && (sourcesDir.toString().isBlank() || Files.isRegularFile(sourcesDir))) {
            throw InvalidInputException.of(
                    "--sources " + sourcesDir,
                    sourcesDir.toString().isBlank() ? "the folder name is empty" : "is a file, not a folder",
                    "give a new or empty folder for the campaign's files, e.g. --sources campaign-files");
        }
        org.labloop.store.StoreLocation where = data.location();
        if (outFile != null) {
            checkTarget(outFile, where instanceof org.labloop.store.StoreLocation.Directory d ? d.path() : null, force);
        }
        try (EventLog log = Lab.openReadOnly(where, true)) {
            CampaignState state = Lab.loadVerified(log, Lab.pickCampaign(log, id));
            Dataset dataset =
                    Dataset.of(state, new Lab().specOf(state)).withRecording(Lab.recording(log, state.id(), true));
            text = chosen == Format.csv ? dataset.toCsv() : dataset.toJson();
            if (sourcesDir != null) {
                writeSources(state, sourcesDir, spec.commandLine().getErr());
            }
        }
        if (outFile == null && sourcesDir != null && format == null) {
            // Asked for the campaign's files alone: the dataset is not poured onto the terminal as well.
            spec.commandLine()
                    .getErr()
                    .println("The dataset itself: add --out FILE (or --format csv|json for standard output).");
            return 0;
        }
        if (outFile == null) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(text);
            out.flush();
            return 0;
        }
        Path folder = outFile.toAbsolutePath().normalize().getParent();
        boolean newFolder = folder != null && !Files.exists(folder);
        write(outFile, text);
        // Said, so that a mistyped folder name is noticed rather than left holding the data somewhere new.
        spec.commandLine()
                .getErr()
                .println("Wrote " + outFile + (newFolder ? " (in a new folder, " + folder + ")" : ""));
        return 0;
    }

    /** The format asked for, else the one the output file's extension names, else CSV; a contradiction is an error. */
    static Format format(Format asked, Path out) {
        String name = out == null ? "" : out.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        Format byName = name.endsWith(".json") ? Format.json : name.endsWith(".csv") ? Format.csv : null;
        if (asked != null && byName != null && asked != byName) {
            throw InvalidInputException.of(
                    "--out " + out,
                    "names a ." + byName + " file but --format is " + asked,
                    "drop --format, or name the file ." + asked);
        }
        return asked != null ? asked : byName != null ? byName : Format.csv;
    }

    /**
     * An export never replaces a file of the store (its databases, their journals, its locks), even with {@code
     * --force}, and replaces any other existing file only when that file is an earlier export, or with {@code --force}:
     * a mistyped path must not destroy a campaign or its files. New files may go anywhere, the data directory included
     * (with {@code --data .}, the current folder).
     */
    static void checkTarget(Path out, Path dataDir, boolean force) {
        if (Files.exists(out) && !Files.isRegularFile(out) && !Files.isDirectory(out)) {
            return; // a terminal or a pipe (/dev/stdout): nothing is replaced
        }
        Path target;
        Path store;
        try {
            target = Files.exists(out) ? out.toRealPath() : realParent(out);
            store = dataDir == null
                    ? null // a PostgreSQL store has no files here
                    : Files.exists(dataDir)
                            ? dataDir.toRealPath()
                            : dataDir.toAbsolutePath().normalize();
        } catch (IOException e) {
            throw InvalidInputException.of(out.toString(), "cannot be resolved: " + e.getMessage(), "check the path");
        }
        if (store != null && LabStore.holds(store, target)) {
            throw InvalidInputException.of(
                    "--out " + out,
                    "is a file of the event store in " + store,
                    "write the export to another file, e.g. --out dataset."
                            + (out.toString().endsWith(".json") ? "json" : "csv"));
        }
        if (!force && Files.isRegularFile(target) && !isExport(target)) {
            throw InvalidInputException.of(
                    "--out " + out,
                    "exists and is not a LabLoop export",
                    "choose a new file name, or add --force to replace it");
        }
    }

    /** The absolute path of a file yet to be written, through the real path of its nearest existing folder. */
    static Path realParent(Path out) throws IOException {
        Path abs = out.toAbsolutePath().normalize();
        Path existing = abs.getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing == null ? abs : existing.toRealPath().resolve(existing.relativize(abs));
    }

    /** Whether a file starts as LabLoop writes an export (CSV header or JSON root), so replacing it loses nothing. */
    private static boolean isExport(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            String head = new String(in.readNBytes(64), StandardCharsets.UTF_8);
            return head.isEmpty()
                    || head.startsWith("campaign_id,experiment_id,")
                    || head.replaceAll("\\s+", "").startsWith("{\"campaign_id\":");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Writes the campaign's stored files into {@code dir} where the campaign file expects them: the workcell,
     * protocol and descriptor tables relative to it, lookup tables under the name the campaign gives them. A file it
     * names outside its own folder is written beside it instead, with a note. Files already there with other content
     * are not overwritten.
     */
    static void writeSources(CampaignState state, Path dir, PrintWriter err) {
        EventBody.Source campaign = state.sources().stream()
                .filter(s -> s.role().equals(CampaignLoader.CAMPAIGN))
                .findFirst()
                .orElseThrow(() -> InvalidInputException.of(
                        "campaign " + state.id(), "its log holds no campaign file", "it cannot be written out"));
        Path campaignPath = Path.of(campaign.path());
        Path base = campaignPath.toAbsolutePath().getParent();
        Path root = dir.toAbsolutePath().normalize();
        java.util.Map<Path, String> files = new java.util.LinkedHashMap<>();
        for (EventBody.Source s : state.sources()) {
            Path rel;
            if (s == campaign) {
                rel = campaignPath.getFileName();
            } else if (s.role().startsWith("table:")) {
                rel = Path.of(s.role().substring("table:".length()));
            } else {
                rel = base.relativize(Path.of(s.path()).toAbsolutePath());
            }
            Path target = root.resolve(rel).normalize();
            if (!target.startsWith(root) || rel.isAbsolute()) {
                target = root.resolve(Path.of(s.path()).getFileName());
                err.println("Note: the campaign names " + rel + " outside its folder; it is written as " + target
                        + ": point the campaign file at it to run the copy.");
            }
            if (Files.exists(target) && !sameText(target, s.text())) {
                throw InvalidInputException.of(
                        target.toString(), "exists with other content", "give --sources an empty or new folder");
            }
            files.put(target, s.text());
        }
        files.forEach((target, text) -> {
            write(target, text);
            err.println("Wrote " + target);
        });
        // The seed the campaign ran with, which a --seed on its run may have set in place of the file's.
        err.println("Reproduce it: " + RunCommand.launcher() + " run "
                + Shell.quote(root.resolve(campaignPath.getFileName()).toString()) + " --seed " + state.seed());
    }

    private static boolean sameText(Path file, String text) {
        try {
            return Files.isRegularFile(file)
                    && Files.readString(file, StandardCharsets.UTF_8).equals(text);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Writes a regular file through a temporary file and a rename, so a failure never leaves half a dataset behind; a
     * link is followed (the link stays, its target gets the data) and a pipe or device is written to directly.
     */
    static void write(Path file, String text) {
        if (Files.isDirectory(file)) {
            throw InvalidInputException.of(
                    file.toString(),
                    "is a folder, not a file",
                    "give a file name, e.g. --out " + file.resolve("dataset.csv"));
        }
        try {
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                // A terminal or a pipe (/dev/stdout), which need not resolve to a path: written as a stream.
                Files.writeString(file, text, StandardCharsets.UTF_8);
                return;
            }
            Path target = Files.exists(file) ? file.toRealPath() : file.toAbsolutePath();
            if (Files.exists(target) && !Files.isRegularFile(target)) {
                Files.writeString(target, text, StandardCharsets.UTF_8);
                return;
            }
            Path dir = target.getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".labloop-export", ".tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                keepPermissions(target, tmp);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw InvalidInputException.of(
                    file.toString(), "cannot write: " + e.getMessage(), "check the path and free space");
        }
    }

    /**
     * The replaced file's permissions, or those of a file written with a shell redirect (rw-r--r--), instead of the
     * owner-only ones a temporary file is created with.
     */
    private static void keepPermissions(Path target, Path tmp) throws IOException {
        if (!tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, perms);
    }
}

package org.labloop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.labloop.campaign.CampaignState;
import org.labloop.core.InvalidInputException;
import org.labloop.data.Dataset;
import org.labloop.event.EventLog;
import org.labloop.lab.Lab;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labloop export [ID] --format csv|json [--out FILE]}: a campaign's dataset with provenance. */
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

    @Option(names = "--format", paramLabel = "csv|json", description = "Output format (default: csv).")
    Format format = Format.csv;

    @Option(names = "--out", paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path outFile;

    @Mixin
    DataOption data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String text;
        try (EventLog log = Lab.openReadOnly(data.resolve(), true)) {
            CampaignState state = Lab.loadVerified(log, Lab.pickCampaign(log, id));
            Dataset dataset = Dataset.of(state, new Lab().specOf(state));
            text = format == Format.csv ? dataset.toCsv() : dataset.toJson();
        }
        if (outFile == null) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(text);
            out.flush();
            return 0;
        }
        write(outFile, text);
        spec.commandLine().getErr().println("Wrote " + outFile);
        return 0;
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

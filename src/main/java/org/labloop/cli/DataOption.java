package org.labloop.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --data DIR} option every command that touches the store shares. */
final class DataOption {
    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "Data directory holding the store; default: $LABLOOP_DATA, else labloop-data in the current folder.")
    Path dir;

    Path resolve() {
        if (dir != null) {
            return dir;
        }
        String env = System.getenv("LABLOOP_DATA");
        return Path.of(env == null || env.isBlank() ? "labloop-data" : env);
    }

    /** What a printed command needs to reach the same store: " --data DIR" when it was given, else nothing. */
    String hint() {
        return dir == null ? "" : " --data " + Shell.quote(dir);
    }
}

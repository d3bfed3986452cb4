package org.labloop.cli;

import java.nio.file.Path;
import org.labloop.core.InvalidInputException;
import org.labloop.store.StoreLocation;
import picocli.CommandLine.Option;

/** The {@code --data} option every command that touches the store shares. */
final class DataOption {
    @Option(
            names = "--data",
            paramLabel = "DIR|URL",
            description = "The store: a data directory (the embedded store), or a PostgreSQL database shared by several"
                    + " people or workcells, postgresql://USER@HOST:PORT/DATABASE[?schema=NAME] (password from"
                    + " PGPASSWORD); default: $LABLOOP_DATA, else labloop-data in the current folder.")
    String text;

    /** Where the store is. */
    StoreLocation location() {
        String given = text;
        if (given == null) {
            String env = System.getenv("LABLOOP_DATA");
            given = env == null || env.isBlank() ? "labloop-data" : env;
        }
        return StoreLocation.parse(given, System.getenv());
    }

    /**
     * The data directory, for commands that work on the embedded store's files only; a PostgreSQL address is refused
     * with {@code why}.
     */
    Path directory(String why) {
        if (location() instanceof StoreLocation.Directory d) {
            return d.path();
        }
        throw InvalidInputException.of("--data", why, "pass a data directory");
    }

    /** What a printed command needs to reach the same store: " --data DIR" when it was given, else nothing. */
    String hint() {
        return text == null ? "" : " --data " + Shell.quote(location().describe());
    }
}

package org.labloop.cli;

import java.nio.file.Path;
import org.labloop.core.InvalidInputException;
import org.labloop.store.StoreLocation;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code --data} option every command that touches the store shares. */
final class DataOption {
    @Option(
            names = "--data",
            paramLabel = "DIR|URL",
            description = "The store: a data directory (the embedded store), or a PostgreSQL database shared by several"
                    + " people or workcells, postgresql://USER@HOST:PORT/DATABASE[?schema=NAME] (password from"
                    + " PGPASSWORD); default: $LABLOOP_DATA, else labloop-data in the current folder.")
    String text;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    private boolean passwordNoted;

    /** Where the store is. */
    StoreLocation location() {
        String given = text;
        if (given == null) {
            String env = System.getenv("LABLOOP_DATA");
            given = env == null || env.isBlank() ? "labloop-data" : env;
        }
        StoreLocation where = StoreLocation.parse(given, System.getenv());
        if (!passwordNoted
                && text != null // typed: LABLOOP_DATA shows in neither the history nor the list of processes
                && command != null
                && where instanceof StoreLocation.Postgres pg
                && pg.password() != null // from the address or from PGPASSWORD: which, the address alone says
                && ((StoreLocation.Postgres) StoreLocation.parse(given, java.util.Map.of())).password() != null) {
            // Accepted, since it works; said once, since whoever typed it may not know where it shows.
            passwordNoted = true;
            command.commandLine()
                    .getErr()
                    .println("Note: the password in the PostgreSQL address shows in the shell's history and in the"
                            + " list of processes; set PGPASSWORD instead and leave it out of the address.");
        }
        return where;
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

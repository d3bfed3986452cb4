package org.labloop.fuzz;

/**
 * Runs one {@code labloop} command in this process, as a user would type it, and returns what it printed. The CLI
 * passes itself in, so this package does not depend on it.
 */
@FunctionalInterface
public interface CommandLineRunner {
    Result run(String... args);

    /** Exit code and the text printed on standard output and standard error. */
    record Result(int code, String out, String err) {}
}

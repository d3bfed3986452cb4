package org.labloop.emulator;

import org.labloop.core.Table;

/**
 * Where table-backed emulators get their data. The caller decides how a path written in a campaign file resolves (the
 * CLI reads CSV files relative to the campaign; a test can hand over a table it built), so this package never touches
 * the file system.
 */
@FunctionalInterface
public interface TableSource {

    /**
     * The table at {@code path}, as written in the emulator's {@code file} option.
     *
     * @throws org.labloop.core.LabLoopException when there is no such table or it cannot be read
     */
    Table load(String path);
}

package org.labloop.workcell;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a device is. The kind tells people and the scheduler what to expect; capabilities say what it can do. */
public enum DeviceKind {
    LIQUID_HANDLER,
    REACTOR,
    ROBOT_ARM,
    ANALYZER,
    INCUBATOR,
    STORAGE,
    OTHER;

    /** The name as written in workcell files: lower case with underscores. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<DeviceKind> parse(String text) {
        return Arrays.stream(values()).filter(k -> k.yamlName().equals(text)).findFirst();
    }
}

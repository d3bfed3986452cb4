package org.labloop.cli;

import java.util.regex.Pattern;

/** Text for commands that messages suggest, written so that a POSIX shell reads it back as one word. */
final class Shell {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private Shell() {}

    /** {@code word} as is when the shell would read it so, otherwise in single quotes ("/tmp/a b" as '/tmp/a b'). */
    static String quote(Object word) {
        String w = String.valueOf(word);
        return PLAIN.matcher(w).matches() ? w : "'" + w.replace("'", "'\\''") + "'";
    }
}

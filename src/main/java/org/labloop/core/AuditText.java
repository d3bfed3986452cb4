package org.labloop.core;

/**
 * Text a person writes into the audit trail (a reason, a note, what a signature means) or gives as a name: one line
 * without control, invisible or text-direction characters, so that what the trail shows is what was written and a
 * reader cannot be misled by a hidden line break, a zero-width character or a right-to-left override.
 */
public final class AuditText {
    /** Longest reason or note taken into the audit trail, in characters (code points). */
    public static final int MAX_LINE = 2000;

    private AuditText() {}

    /** Whether {@code text} is one line of 1 to {@code maxCodePoints} characters (code points) of plain text. */
    public static boolean oneLine(String text, int maxCodePoints) {
        return problem(text, maxCodePoints) == null;
    }

    /**
     * What keeps {@code text} from being one line of 1 to {@code maxCodePoints} characters of plain text, as a message
     * can say it ("is empty", "is longer than ..."), or null when nothing does.
     */
    public static String problem(String text, int maxCodePoints) {
        int count = text.codePointCount(0, text.length());
        if (count == 0) {
            return "is empty";
        }
        if (count > maxCodePoints) {
            return "is longer than " + maxCodePoints + " characters (" + count + ")";
        }
        if (text.codePoints().anyMatch(AuditText::hidden)) {
            return "holds a line break, a control, an invisible or a text-direction character";
        }
        return null;
    }

    /**
     * {@code text} with every character {@link #oneLine} refuses written as {@code \\uXXXX}: safe to show in a message
     * on a terminal, where such a character would move the cursor, clear the screen or reverse the text.
     */
    public static String visible(String text) {
        if (text == null || text.codePoints().noneMatch(AuditText::hidden)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(cp -> {
            if (hidden(cp)) {
                out.append(String.format("\\u%04X", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private static boolean hidden(int cp) {
        int type = Character.getType(cp);
        return Character.isISOControl(cp)
                || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.UNASSIGNED
                // Format characters: zero-width spaces, direction marks and overrides, the byte-order mark, tags;
                // the zero-width joiner and non-joiner stay, as some scripts need them.
                || (type == Character.FORMAT && cp != 0x200C && cp != 0x200D);
    }
}

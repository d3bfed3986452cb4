package org.labloop.core;

/**
 * Text a person writes into the audit trail (a reason, a note, what a signature means): one line, no control,
 * line-separating or text-direction character, so what the trail shows is what was written and a reader cannot be
 * misled by a hidden line break or a right-to-left override.
 */
public final class AuditText {
    private AuditText() {}

    /** Whether {@code text} is one line of 1 to {@code maxCodePoints} characters (code points) of plain text. */
    public static boolean oneLine(String text, int maxCodePoints) {
        int count = text.codePointCount(0, text.length());
        if (count == 0 || count > maxCodePoints) {
            return false;
        }
        return text.codePoints().noneMatch(AuditText::hidden);
    }

    private static boolean hidden(int cp) {
        return Character.isISOControl(cp)
                || Character.getType(cp) == Character.LINE_SEPARATOR
                || Character.getType(cp) == Character.PARAGRAPH_SEPARATOR
                || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x2066 && cp <= 0x2069)
                || cp == 0x200E
                || cp == 0x200F
                || cp == 0x061C;
    }
}

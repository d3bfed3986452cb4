package org.labloop.campaign;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The text of a file a campaign was defined from, kept in the campaign's first event so that the log alone says
 * exactly what was run. {@code role} is campaign, workcell or protocol; {@code path} is as the user gave it.
 */
public record SourceFile(String role, String path, String text, String sha256) {
    public SourceFile {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(sha256, "sha256");
    }

    public static SourceFile of(String role, String path, String text) {
        return new SourceFile(role, path, text, sha256(text));
    }

    public static String sha256(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

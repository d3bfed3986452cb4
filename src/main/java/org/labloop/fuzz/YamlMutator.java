package org.labloop.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seeded mutations of a YAML file's bytes: the damage an editor, a copy or a hostile user can do. Each operator names
 * a class of bad input; the fuzzer reports results per class.
 */
final class YamlMutator {
    /** One class of mutation: its name and what it does to the file's bytes. */
    record Operator(String name, BiFunction<Random, byte[], byte[]> apply) {}

    private static final Pattern SCALAR_VALUE =
            Pattern.compile("(?m)^(\\s*[-]?\\s*[A-Za-z_][\\w-]*\\s*:[ \\t]+)([^#\\n]+)");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
    private static final Pattern KEY = Pattern.compile("(?m)^(\\s*)([A-Za-z_][\\w-]*)(\\s*:)");

    private static final String[] CONFUSIONS = {
        "[1, 2, 3]", "{a: 1}", "\"text\"", "true", "false", "null", "~", "-5", "0", "''", "!!binary AAAA", "2001-12-14",
        "0x1F", "0o17", ".nan", ".inf", "-.inf", "1e400", "[]", "{}", "|\n  block\n", ">-\n  folded\n", "[[]]", "yes",
        "\"$tau\"", "$nope", "[a, {b: [c]}]", "!!str 5", "!!int x", "!!float", "!!map", "1_000", "+12", "12:30:00"
    };
    private static final String[] HUGE_NUMBERS = {
        "1e309",
        "-1e309",
        "99999999999999999999999999999",
        "1e-400",
        "123456789012345678901234567890.5",
        "NaN",
        "-0",
        "0.0000000000000000000000000001",
        "9223372036854775808",
        "-9223372036854775809",
        "2147483648",
        "4.9e-324",
        "1.7976931348623157e308",
        "1" + "0".repeat(400),
        "0." + "0".repeat(300) + "1"
    };
    private static final String[] UNICODE = {
        "\u202e",
        "\u200b",
        "\ufeff",
        "\u0000",
        "\u0301",
        "\ud83e\uddea",
        "\u0430",
        "\uff11",
        "\u00a0",
        "\u2028",
        "\u0085",
        "\u00e9",
        "\u4e2d\u6587",
        "\u0007",
        "\u001b[31m",
        "\ufffd",
        "\u0130",
        "\u2063",
        "\u0651"
    };
    private static final String[] YAML_SPECIALS = {
        "&a ",
        "*a",
        "<<: *a\n",
        "---\n",
        "...\n",
        "!!python/object:os.system ",
        "%YAML 1.1\n",
        "%TAG ! tag:x,2000:\n",
        "? ",
        ": ",
        "- ",
        "|",
        ">",
        "#",
        "'",
        "\"",
        "{",
        "}",
        "[",
        "]",
        ",",
        "@",
        "`",
        "\t",
        "\r",
        "\r\n",
        "!",
        "!<tag:yaml.org,2002:str> "
    };
    private static final String[] PATHS = {
        "missing.yaml",
        "/etc/passwd",
        "../../../../etc/hostname",
        ".",
        "..",
        "",
        "workcell.yaml/",
        "campaign.yaml",
        "protocol.yaml",
        "/dev/zero",
        "/proc/self/environ",
        "a".repeat(5000) + ".yaml",
        "con:",
        "\u0000.yaml",
        "nested/dir/file.yaml"
    };

    static final List<Operator> OPERATORS = List.of(
            new Operator("byte-flip", YamlMutator::byteFlip),
            new Operator("delete-span", (r, b) -> edit(r, b, YamlMutator::deleteSpan)),
            new Operator("insert-char", (r, b) -> edit(r, b, YamlMutator::insertChar)),
            new Operator("duplicate", (r, b) -> edit(r, b, YamlMutator::duplicate)),
            new Operator("swap-lines", (r, b) -> edit(r, b, YamlMutator::swapLines)),
            new Operator("delete-line", (r, b) -> edit(r, b, YamlMutator::deleteLine)),
            new Operator("indent", (r, b) -> edit(r, b, YamlMutator::indent)),
            new Operator("type-confusion", (r, b) -> edit(r, b, (rr, s) -> replaceValue(rr, s, CONFUSIONS))),
            new Operator("huge-number", (r, b) -> edit(r, b, YamlMutator::hugeNumber)),
            new Operator("deep-nesting", (r, b) -> edit(r, b, YamlMutator::deepNesting)),
            new Operator("unicode", (r, b) -> edit(r, b, YamlMutator::unicode)),
            new Operator("yaml-syntax", (r, b) -> edit(r, b, YamlMutator::yamlSpecial)),
            new Operator("key-rename", (r, b) -> edit(r, b, YamlMutator::renameKey)),
            new Operator("file-reference", (r, b) -> edit(r, b, (rr, s) -> replaceValue(rr, s, PATHS))),
            new Operator("truncate", YamlMutator::truncate),
            new Operator("empty-or-huge", YamlMutator::emptyOrHuge),
            new Operator("encoding", YamlMutator::encoding));

    private YamlMutator() {}

    private static byte[] edit(Random r, byte[] bytes, BiFunction<Random, String, String> f) {
        return f.apply(r, new String(bytes, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] byteFlip(Random r, byte[] b) {
        byte[] out = b.clone();
        for (int n = 1 + r.nextInt(4); n > 0 && out.length > 0; n--) {
            out[r.nextInt(out.length)] ^= (byte) (1 + r.nextInt(255));
        }
        return out;
    }

    private static String deleteSpan(Random r, String s) {
        if (s.isEmpty()) {
            return s;
        }
        int at = r.nextInt(s.length());
        int len = 1 + r.nextInt(Math.min(60, s.length() - at));
        return s.substring(0, at) + s.substring(at + len);
    }

    private static String insertChar(Random r, String s) {
        String alphabet = " :-[]{},'\"$#&*!|>\n\t0123456789abcxyz.%@`?";
        int at = r.nextInt(s.length() + 1);
        return s.substring(0, at) + alphabet.charAt(r.nextInt(alphabet.length())) + s.substring(at);
    }

    private static String duplicate(Random r, String s) {
        List<String> lines = lines(s);
        if (lines.isEmpty()) {
            return s + s;
        }
        int from = r.nextInt(lines.size());
        int to = Math.min(lines.size(), from + 1 + r.nextInt(5));
        int times = r.nextInt(10) == 0 ? 2 + r.nextInt(200) : 1;
        List<String> block = lines.subList(from, to);
        List<String> out = new ArrayList<>(lines.subList(0, to));
        for (int i = 0; i < times; i++) {
            out.addAll(block);
        }
        out.addAll(lines.subList(to, lines.size()));
        return String.join("\n", out);
    }

    private static String swapLines(Random r, String s) {
        List<String> lines = lines(s);
        if (lines.size() < 2) {
            return s;
        }
        int i = r.nextInt(lines.size());
        int j = r.nextInt(lines.size());
        String t = lines.get(i);
        lines.set(i, lines.get(j));
        lines.set(j, t);
        return String.join("\n", lines);
    }

    private static String deleteLine(Random r, String s) {
        List<String> lines = lines(s);
        if (lines.isEmpty()) {
            return s;
        }
        lines.remove(r.nextInt(lines.size()));
        return String.join("\n", lines);
    }

    private static String indent(Random r, String s) {
        List<String> lines = lines(s);
        if (lines.isEmpty()) {
            return s;
        }
        int i = r.nextInt(lines.size());
        String line = lines.get(i);
        lines.set(
                i,
                switch (r.nextInt(4)) {
                    case 0 -> "  " + line;
                    case 1 -> line.stripLeading();
                    case 2 -> "\t" + line;
                    default -> " ".repeat(1 + r.nextInt(40)) + line;
                });
        return String.join("\n", lines);
    }

    private static String replaceValue(Random r, String s, String[] choices) {
        List<int[]> spans = new ArrayList<>();
        Matcher m = SCALAR_VALUE.matcher(s);
        while (m.find()) {
            spans.add(new int[] {m.start(2), m.end(2)});
        }
        String value = choices[r.nextInt(choices.length)];
        if (spans.isEmpty()) {
            return s + "\nkey: " + value;
        }
        int[] span = spans.get(r.nextInt(spans.size()));
        return s.substring(0, span[0]) + value + s.substring(span[1]);
    }

    private static String hugeNumber(Random r, String s) {
        List<int[]> spans = new ArrayList<>();
        Matcher m = NUMBER.matcher(s);
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
        }
        String value = HUGE_NUMBERS[r.nextInt(HUGE_NUMBERS.length)];
        if (spans.isEmpty()) {
            return replaceValue(r, s, HUGE_NUMBERS);
        }
        int[] span = spans.get(r.nextInt(spans.size()));
        return s.substring(0, span[0]) + value + s.substring(span[1]);
    }

    private static String deepNesting(Random r, String s) {
        int depth = r.nextBoolean() ? 5 + r.nextInt(60) : 100 + r.nextInt(20_000);
        String nested = switch (r.nextInt(3)) {
            case 0 -> "[".repeat(depth) + "1" + "]".repeat(depth);
            case 1 -> "{a: ".repeat(depth) + "1" + "}".repeat(depth);
            default -> {
                StringBuilder sb = new StringBuilder("\n");
                for (int i = 1; i <= Math.min(depth, 400); i++) {
                    sb.append(" ".repeat(i)).append("k").append(i).append(":\n");
                }
                yield sb.toString();
            }
        };
        return replaceValue(r, s, new String[] {nested});
    }

    private static String unicode(Random r, String s) {
        String u = UNICODE[r.nextInt(UNICODE.length)];
        if (r.nextInt(3) == 0) {
            // a homoglyph or invisible character inside a key: looks right, is not
            Matcher m = KEY.matcher(s);
            List<Integer> at = new ArrayList<>();
            while (m.find()) {
                at.add(m.start(2) + r.nextInt(Math.max(1, m.end(2) - m.start(2))));
            }
            if (!at.isEmpty()) {
                int p = at.get(r.nextInt(at.size()));
                return s.substring(0, p) + u + s.substring(p);
            }
        }
        int p = r.nextInt(s.length() + 1);
        return s.substring(0, p) + u.repeat(1 + (r.nextInt(8) == 0 ? r.nextInt(1000) : 0)) + s.substring(p);
    }

    private static String yamlSpecial(Random r, String s) {
        int p = r.nextInt(s.length() + 1);
        return s.substring(0, p) + YAML_SPECIALS[r.nextInt(YAML_SPECIALS.length)] + s.substring(p);
    }

    private static String renameKey(Random r, String s) {
        List<int[]> spans = new ArrayList<>();
        Matcher m = KEY.matcher(s);
        while (m.find()) {
            spans.add(new int[] {m.start(2), m.end(2)});
        }
        if (spans.isEmpty()) {
            return s;
        }
        int[] span = spans.get(r.nextInt(spans.size()));
        String key = s.substring(span[0], span[1]);
        int lineEnd = s.indexOf('\n', span[1]);
        lineEnd = lineEnd < 0 ? s.length() : lineEnd;
        if (r.nextInt(5) == 0) {
            // the same key twice in one map
            int lineStart = s.lastIndexOf('\n', span[0]) + 1;
            return s.substring(0, lineEnd) + "\n" + s.substring(lineStart, lineEnd) + s.substring(lineEnd);
        }
        String renamed = switch (r.nextInt(4)) {
            case 0 -> key + "x";
            case 1 -> key.substring(0, key.length() - 1);
            case 2 -> key.toUpperCase(java.util.Locale.ROOT);
            default -> "";
        };
        return s.substring(0, span[0]) + renamed + s.substring(span[1]);
    }

    private static byte[] truncate(Random r, byte[] b) {
        return Arrays.copyOf(b, b.length == 0 ? 0 : r.nextInt(b.length));
    }

    private static byte[] emptyOrHuge(Random r, byte[] b) {
        return switch (r.nextInt(6)) {
            case 0 -> new byte[0];
            case 1 -> "   \n\n  \t\n".getBytes(StandardCharsets.UTF_8);
            case 2 -> "# only a comment\n".getBytes(StandardCharsets.UTF_8);
            case 3 -> {
                // a file far over the size limit
                byte[] big = new byte[3_000_000 + r.nextInt(1_000_000)];
                Arrays.fill(big, (byte) 'a');
                yield big;
            }
            case 4 -> {
                // many keys
                StringBuilder sb = new StringBuilder(new String(b, StandardCharsets.UTF_8)).append('\n');
                for (int i = 0; i < 20_000 + r.nextInt(50_000); i++) {
                    sb.append("k").append(i).append(": ").append(i).append('\n');
                }
                yield sb.toString().getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                // one very long value
                String s = new String(b, StandardCharsets.UTF_8);
                yield replaceValue(r, s, new String[] {"x".repeat(100_000 + r.nextInt(2_000_000))})
                        .getBytes(StandardCharsets.UTF_8);
            }
        };
    }

    private static byte[] encoding(Random r, byte[] b) {
        String s = new String(b, StandardCharsets.UTF_8);
        return switch (r.nextInt(5)) {
            case 0 -> s.getBytes(StandardCharsets.UTF_16);
            case 1 -> s.getBytes(StandardCharsets.UTF_16LE);
            case 2 -> concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, b);
            case 3 -> {
                byte[] out = b.clone();
                // an invalid UTF-8 sequence (a lone continuation byte, an overlong form or a CESU-8 surrogate)
                byte[][] bad = {{(byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}};
                byte[] ins = bad[r.nextInt(bad.length)];
                int p = out.length == 0 ? 0 : r.nextInt(out.length);
                yield concat(concat(Arrays.copyOf(out, p), ins), Arrays.copyOfRange(out, p, out.length));
            }
            default -> s.replace("\n", "\r").getBytes(StandardCharsets.UTF_8);
        };
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static List<String> lines(String s) {
        return new ArrayList<>(Arrays.asList(s.split("\n", -1)));
    }
}

package org.labloop.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads YAML text into a {@link Node} tree that remembers where every key and value is. Safe on hostile input: the
 * text, the nesting depth, the number of values and the length of numbers are capped, and aliases ({@code *name}) are
 * refused, so a small file cannot expand into a huge one.
 */
final class YamlTree {
    /** Largest file accepted, in characters (and in bytes on disk). */
    static final int MAX_CHARS = 1 << 20;
    /** Deepest nesting of maps and lists accepted. */
    static final int MAX_DEPTH = 32;
    /** Most values (maps, lists and scalars together) in one file. */
    static final int MAX_NODES = 50_000;
    /** Longest number accepted, in characters. */
    static final int MAX_NUMBER_LENGTH = 100;

    private static final YAMLFactory FACTORY = createFactory();

    private final Doc doc;
    private final YAMLParser parser;
    private int nodes;

    private YamlTree(Doc doc, YAMLParser parser) {
        this.doc = doc;
        this.parser = parser;
    }

    private static YAMLFactory createFactory() {
        LoaderOptions loader = new LoaderOptions();
        loader.setCodePointLimit(MAX_CHARS + 1);
        loader.setNestingDepthLimit(MAX_DEPTH + 1);
        loader.setMaxAliasesForCollections(0);
        loader.setAllowRecursiveKeys(false);
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH + 10) // above ours, so that ours reports it with a position
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxStringLength(MAX_CHARS)
                .maxNameLength(MAX_CHARS)
                .maxDocumentLength(MAX_CHARS)
                .build();
        return YAMLFactory.builder()
                .loaderOptions(loader)
                .streamReadConstraints(constraints)
                .build();
    }

    /**
     * Parses {@code text}. Returns the root value, or null when the file cannot be read as YAML at all (the reason is
     * added to {@code doc}). Repeated keys are reported to {@code doc} too, but the tree is still returned.
     */
    static Node parse(String text, Doc doc) {
        if (text.length() > MAX_CHARS) {
            doc.error(
                    Node.Loc.START,
                    "the file is too large: " + text.length() + " characters, at most " + MAX_CHARS + " are accepted",
                    "a campaign, workcell or protocol file is a few kilobytes; check that this is the right file");
            return null;
        }
        try (YAMLParser parser = FACTORY.createParser(text)) {
            return new YamlTree(doc, parser).document();
        } catch (Stop stop) {
            doc.error(stop.at, stop.getMessage(), stop.hint);
            return null;
        } catch (JsonProcessingException e) {
            syntaxError(doc, e, text);
            return null;
        } catch (IOException | RuntimeException e) {
            // SnakeYAML can throw its own unchecked exceptions (limits, bad characters); none may escape.
            doc.error(
                    Node.Loc.START,
                    "cannot read the file as YAML: " + firstLine(String.valueOf(e.getMessage())),
                    "check that this is a YAML text file");
            return null;
        }
    }

    private Node document() throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw new Stop(
                    Node.Loc.START,
                    "the file is empty",
                    "it needs YAML 'key: value' lines; see the docs/ folder for the format");
        }
        Node root = read(first, 0);
        if (parser.nextToken() != null) {
            throw new Stop(
                    loc(),
                    "the file holds more than one YAML document",
                    "remove the '---' line and everything after it, or merge the documents");
        }
        return root;
    }

    private Node read(JsonToken token, int depth) throws IOException {
        if (++nodes > MAX_NODES) {
            throw new Stop(
                    loc(),
                    "the file holds more than " + MAX_NODES + " values",
                    "this is far more than any campaign needs; check that this is the right file");
        }
        if (depth > MAX_DEPTH) {
            throw new Stop(
                    loc(),
                    "maps and lists are nested more than " + MAX_DEPTH + " levels deep",
                    "flatten the structure; no LabLoop file needs this depth");
        }
        Node.Loc at = loc();
        return switch (token) {
            case START_OBJECT -> readMap(at, depth);
            case START_ARRAY -> readList(at, depth);
            case VALUE_STRING -> {
                if (parser.isCurrentAlias()) {
                    throw new Stop(
                            at,
                            "YAML aliases (*" + parser.getText() + ") are not supported",
                            "write the value out in full instead of referring to an anchor");
                }
                yield new Node.ScalarNode(at, Node.Kind.TEXT, parser.getText(), parser.getText());
            }
            case VALUE_NUMBER_INT -> {
                Number n = parser.getNumberValue();
                BigInteger big = n instanceof BigInteger b ? b : BigInteger.valueOf(n.longValue());
                yield new Node.ScalarNode(at, Node.Kind.INTEGER, parser.getText(), big);
            }
            case VALUE_NUMBER_FLOAT -> new Node.ScalarNode(at, Node.Kind.DECIMAL, parser.getText(), decimal());
            case VALUE_TRUE -> new Node.ScalarNode(at, Node.Kind.BOOLEAN, parser.getText(), Boolean.TRUE);
            case VALUE_FALSE -> new Node.ScalarNode(at, Node.Kind.BOOLEAN, parser.getText(), Boolean.FALSE);
            case VALUE_NULL -> new Node.ScalarNode(at, Node.Kind.NULL, parser.getText(), null);
            default ->
                throw new Stop(
                        at,
                        "unsupported YAML value (" + token + ")",
                        "use plain maps, lists, text, numbers and true/false");
        };
    }

    private Node readMap(Node.Loc at, int depth) throws IOException {
        Map<String, Node.Entry> entries = new LinkedHashMap<>();
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_OBJECT) {
            if (t != JsonToken.FIELD_NAME) {
                throw new Stop(loc(), "unexpected end of a map", "check the indentation");
            }
            String key = parser.currentName();
            Node.Loc keyAt = loc();
            Node value = read(parser.nextToken(), depth + 1);
            Node.Entry previous = entries.get(key);
            if (previous != null) {
                doc.error(
                        keyAt,
                        "key '" + key + "' appears twice in the same map (first on line "
                                + previous.keyAt().line() + ")",
                        "remove one of them: a key may appear only once in a map");
            } else {
                entries.put(key, new Node.Entry(key, keyAt, value));
            }
        }
        return new Node.MapNode(at, entries);
    }

    private Node readList(Node.Loc at, int depth) throws IOException {
        List<Node> items = new ArrayList<>();
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new Stop(loc(), "unexpected end of a list", "check the indentation");
            }
            items.add(read(t, depth + 1));
        }
        return new Node.ListNode(at, items);
    }

    /** A YAML float; Jackson cannot convert the YAML spellings of infinity and not-a-number, so they are done here. */
    private Double decimal() throws IOException {
        String text = parser.getText();
        String lower = text.toLowerCase(Locale.ROOT);
        return switch (lower) {
            case ".inf", "+.inf" -> Double.POSITIVE_INFINITY;
            case "-.inf" -> Double.NEGATIVE_INFINITY;
            case ".nan" -> Double.NaN;
            default -> parser.getDoubleValue();
        };
    }

    private Node.Loc loc() {
        JsonLocation l = parser.currentTokenLocation();
        return new Node.Loc(l.getLineNr(), l.getColumnNr());
    }

    private static void syntaxError(Doc doc, JsonProcessingException e, String source) {
        Node.Loc at = Node.Loc.START;
        String message = e.getOriginalMessage();
        if (e.getLocation() != null) {
            at = new Node.Loc(e.getLocation().getLineNr(), e.getLocation().getColumnNr());
        }
        if (e.getCause() instanceof MarkedYAMLException marked) {
            Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
            if (mark != null) {
                at = new Node.Loc(mark.getLine() + 1, mark.getColumn() + 1);
            }
            message = marked.getProblem() != null ? marked.getProblem() : marked.getContext();
            if (marked.getContext() != null && marked.getProblem() != null) {
                message = marked.getContext() + ": " + marked.getProblem();
            }
        }
        String text = firstLine(String.valueOf(message));
        if (e instanceof StreamConstraintsException && text.contains("Number value length")) {
            // The limit is met before the number is a token, so the parser has no position for it: find it.
            java.util.regex.Matcher digits = java.util.regex.Pattern.compile("\\d{" + (MAX_NUMBER_LENGTH + 1) + ",}")
                    .matcher(source);
            if (digits.find()) {
                int line = 1
                        + (int) source.substring(0, digits.start())
                                .chars()
                                .filter(c -> c == '\n')
                                .count();
                at = new Node.Loc(line, digits.start() - source.lastIndexOf('\n', digits.start() - 1));
            }
            doc.error(
                    at,
                    "a number here has more than " + MAX_NUMBER_LENGTH + " digits",
                    "no LabLoop value needs that many: write it as a plain decimal, e.g. 1e6");
            return;
        }
        if (e instanceof StreamConstraintsException) {
            doc.error(at, "the file exceeds a safety limit: " + text, "no LabLoop file needs values this large");
            return;
        }
        if (at.column() > MAX_SIMPLE_KEY && longKeyOn(source, at.line())) {
            // The parser gives up on a key past this length and blames the ':' after it or a missing one.
            doc.error(
                    new Node.Loc(at.line(), 1),
                    "a name on this line is longer than YAML allows for a key (" + MAX_SIMPLE_KEY + " characters)",
                    "shorten it");
            return;
        }
        doc.error(
                at, "YAML syntax error: " + text, smilesNear(source, at.line()).orElse(syntaxHint(text)));
    }

    /** A charged SMILES bracket atom ("[Na+]", "[O-]", "[NH4+]"), or two bracket atoms joined by '.'. */
    private static final java.util.regex.Pattern SMILES_BRACKETS =
            java.util.regex.Pattern.compile("\\[\\d*[A-Z][a-z]?@{0,2}(H\\d*)?[+-]+\\d*\\]|\\]\\.\\[");

    /**
     * A hint for an unquoted SMILES that YAML read as a list ({@code CsF: [Cs+].[F-]}): on the line of the error or the
     * one before, outside quotes. Empty when there is none.
     */
    private static java.util.Optional<String> smilesNear(String source, int line) {
        String[] lines = source.split("\n", -1);
        for (int l = Math.max(1, line - 1); l <= Math.min(line, lines.length); l++) {
            String unquoted = lines[l - 1].replaceAll("\"[^\"]*\"|'[^']*'", "\"\"");
            java.util.regex.Matcher m = SMILES_BRACKETS.matcher(unquoted);
            if (m.find()) {
                return java.util.Optional.of("a SMILES with [brackets] (such as " + m.group()
                        + ") reads as a YAML list unless quoted: write it in quotes, e.g. \"[Na+].[OH-]\"");
            }
        }
        return java.util.Optional.empty();
    }

    /** Whether line {@code line} (from 1) starts with a key (text up to its first ': ' or ':') past the limit. */
    private static boolean longKeyOn(String source, int line) {
        String[] lines = source.split("\n", -1);
        if (line < 1 || line > lines.length) {
            return false;
        }
        String l = lines[line - 1].stripLeading();
        int colon = l.indexOf(':');
        int key = colon < 0 ? l.length() : colon;
        return key > MAX_SIMPLE_KEY && l.substring(0, Math.min(key, l.length())).indexOf(' ') < 0;
    }

    /** The longest key the YAML parser reads without a '?' before it. */
    private static final int MAX_SIMPLE_KEY = 1024;

    private static String syntaxHint(String message) {
        if (message.contains("\\t(TAB)") || message.contains("\t")) {
            return "YAML takes no tab characters for indentation or between a ':' or ',' and what follows;"
                    + " use spaces there";
        }
        if (message.contains("mapping values are not allowed")) {
            return "check the indentation of this line, and quote values that contain ': '";
        }
        if (message.contains("expected ',' or ']'") || message.contains("expected ',' or '}'")) {
            return "close the [list] or {map} opened before, and separate items with commas";
        }
        if (message.contains("found unexpected end of stream") || message.contains("quoted scalar")) {
            return "a quote is not closed";
        }
        if (message.contains("Malformed numeric value") || message.contains("Number value length")) {
            return "write numbers as plain decimals such as 0.5 or 1e-3";
        }
        return "check the indentation (spaces only) and that quotes, [lists] and {maps} are closed";
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }

    /** Ends parsing with one problem at a position. */
    private static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Node.Loc at;
        private final String hint;

        Stop(Node.Loc at, String message, String hint) {
            super(message, null, false, false);
            this.at = at;
            this.hint = hint;
        }
    }
}

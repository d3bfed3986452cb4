package org.labloop.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import org.labloop.core.InvalidInputException;
import org.labloop.core.Suggest;

/**
 * Where a store lives: a data directory (the embedded SQLite store, the default) or a PostgreSQL database shared by
 * several people or workcells. Parsed once from {@code --data} or {@code LABLOOP_DATA}.
 */
public sealed interface StoreLocation {

    /** How the location is written in messages and in printed commands (never with a password). */
    String describe();

    /**
     * This location for sessions that would rather fail and be asked again than keep a person waiting; see
     * {@link Postgres#prompt}. A data directory has nothing to wait for.
     */
    StoreLocation prompt();

    /** The embedded store: {@code labloop.db} and its companions in a directory. */
    record Directory(Path path) implements StoreLocation {
        public Directory {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String describe() {
            return path.toString();
        }

        @Override
        public Directory prompt() {
            return this;
        }
    }

    /**
     * A PostgreSQL database; every LabLoop table lives in {@code schema} (created when missing), so one database can
     * hold several stores side by side and LabLoop never touches tables outside its schema.
     */
    record Postgres(
            String host,
            int port,
            String database,
            String user,
            String password,
            String schema,
            Map<String, String> options)
            implements StoreLocation {
        /** The schema a location names when it names none. */
        public static final String DEFAULT_SCHEMA = "labloop";

        private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

        public Postgres {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(database, "database");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(schema, "schema");
            if (port < 1 || port > 65535) {
                throw InvalidInputException.of("--data", "port " + port + " is out of range", "use 1-65535");
            }
            if (!IDENTIFIER.matcher(schema).matches()) {
                throw InvalidInputException.of(
                        "--data",
                        "schema '" + schema + "' is not a plain PostgreSQL name",
                        "use 1-63 lower-case letters, digits or '_', starting with a letter or '_'");
            }
            options = Map.copyOf(options);
        }

        /** The JDBC address, without user, password or schema (those go in {@link #properties()}). */
        public String jdbcUrl() {
            StringBuilder url = new StringBuilder("jdbc:postgresql://")
                    .append(host.contains(":") ? "[" + host + "]" : host)
                    .append(':')
                    .append(port)
                    .append('/')
                    .append(java.net.URLEncoder.encode(database, StandardCharsets.UTF_8));
            return url.toString();
        }

        /** Seconds a statement may wait for the server's answer before its connection counts as lost. */
        public static final int SOCKET_TIMEOUT_S = 300;

        /** Seconds a session that answers a person ({@link #prompt}) waits for the server before giving up. */
        public static final int PROMPT_TIMEOUT_S = 10;

        /**
         * This location for sessions that would rather fail and be asked again than keep a person waiting (a server's
         * reads and token checks): a statement or a login unanswered for {@link #PROMPT_TIMEOUT_S} seconds counts as a
         * lost connection, as on a network that drops packets without a word. An address that sets its own {@code
         * socketTimeout} keeps it.
         */
        @Override
        public Postgres prompt() {
            if (options.containsKey("socketTimeout")) {
                return this;
            }
            Map<String, String> o = new java.util.TreeMap<>(options);
            o.put("socketTimeout", String.valueOf(PROMPT_TIMEOUT_S));
            o.putIfAbsent("loginTimeout", String.valueOf(PROMPT_TIMEOUT_S));
            return new Postgres(host, port, database, user, password, schema, o);
        }

        /** Connection properties: credentials, the schema as the search path, and the driver options given. */
        public Properties properties() {
            Properties p = new Properties();
            // A campaign's lock lives as long as its connection: keep an idle one from being dropped unnoticed.
            p.setProperty("tcpKeepAlive", "true");
            // A network cut leaves no error behind: without a bound, a statement would wait on it for as long as TCP
            // does (hours). Past it, the connection counts as lost and is opened again. The address may set another.
            p.setProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT_S));
            p.putAll(options);
            p.setProperty("user", user);
            if (password != null) {
                p.setProperty("password", password);
            }
            p.setProperty("currentSchema", schema);
            p.setProperty(
                    "ApplicationName", applicationName(ProcessHandle.current().pid()));
            return p;
        }

        /**
         * How the sessions of LabLoop process {@code pid} name themselves on the server ({@code application_name}):
         * an administrator sees which process holds which connection, and {@code labloop chaos --severs} ends one
         * process's sessions only.
         */
        public static String applicationName(long pid) {
            return "labloop/" + pid;
        }

        /**
         * The address as {@code --data} takes it back, for messages and printed commands: user and database encoded,
         * the driver options kept, never a password (which {@code PGPASSWORD} supplies).
         */
        @Override
        public String describe() {
            StringBuilder b = new StringBuilder("postgresql://")
                    .append(encode(user))
                    .append('@')
                    .append(host.contains(":") ? "[" + host + "]" : host)
                    .append(':')
                    .append(port)
                    .append('/')
                    .append(encode(database))
                    .append("?schema=")
                    .append(schema);
            for (Map.Entry<String, String> o : new java.util.TreeMap<>(options).entrySet()) {
                if (!o.getKey().toLowerCase(java.util.Locale.ROOT).contains("password")) {
                    b.append('&').append(encode(o.getKey())).append('=').append(encode(o.getValue()));
                }
            }
            return b.toString();
        }

        private static String encode(String s) {
            return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
        }

        @Override
        public String toString() {
            return describe(); // never the password
        }
    }

    /**
     * Reads {@code --data}: {@code postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE[?schema=NAME&...]} (also
     * {@code postgres://} and {@code jdbc:postgresql://}) names a PostgreSQL store; anything else is a directory. A
     * password is best left out of the address: {@code PGPASSWORD} supplies it, and {@code PGUSER} the user.
     */
    static StoreLocation parse(String text, Map<String, String> env) {
        return parse(text, env, "--data");
    }

    /** As above, for an address given as {@code option} (named in every message about it). */
    static StoreLocation parse(String text, Map<String, String> env, String option) {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            // An empty path would put the store in the current folder, unasked.
            throw InvalidInputException.of(
                    option,
                    "the store's address is empty",
                    "pass a data directory or a PostgreSQL address"
                            + (option.equals("--data") ? ", or leave --data out for ./labloop-data" : ""));
        }
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        String rest = lower.startsWith("jdbc:") ? text.substring(5) : text;
        String scheme = rest.toLowerCase(java.util.Locale.ROOT);
        if (!scheme.startsWith("postgresql:") && !scheme.startsWith("postgres:")) {
            if (lower.matches("[a-z][a-z0-9+.-]*://.*")) {
                throw InvalidInputException.of(
                        option,
                        "'" + redact(text) + "' is not a data directory nor a PostgreSQL address",
                        "pass a directory, or postgresql://USER@HOST:PORT/DATABASE");
            }
            Path path;
            try {
                path = Path.of(text);
            } catch (java.nio.file.InvalidPathException e) {
                throw InvalidInputException.of(
                        option, "'" + text + "' is not a valid path (" + e.getReason() + ")", "pass a data directory");
            }
            if (java.nio.file.Files.isRegularFile(path)) {
                Path parent = path.toAbsolutePath().getParent();
                throw InvalidInputException.of(
                        option,
                        "'" + text + "' is a file, not a data directory",
                        "pass the folder that holds the store"
                                + (parent != null
                                                && path.getFileName().toString().equals("labloop.db")
                                        ? ", here " + parent
                                        : "")
                                + ", or a new folder's name to start a store there");
            }
            return new Directory(path);
        }
        URI uri;
        try {
            uri = new URI(rest);
        } catch (URISyntaxException e) {
            throw InvalidInputException.of(
                    option,
                    "'" + redact(text) + "' is not a valid PostgreSQL address (" + e.getReason() + ")",
                    "write it as postgresql://USER@HOST:PORT/DATABASE?schema=NAME, with any '/', '@', '?' or '#' in"
                            + " the user or password written as %2F, %40, %3F or %23 (or the password in PGPASSWORD)");
        }
        // The authority is split here rather than by URI, which gives no host for names with '_' in them.
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        int at = authority.lastIndexOf('@');
        String info = at < 0 ? null : authority.substring(0, at);
        String hostPort = authority.substring(at + 1);
        String host;
        int port = 5432;
        String portText = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            host = close < 0 ? "" : hostPort.substring(1, close);
            if (close >= 0 && hostPort.length() > close + 1 && hostPort.charAt(close + 1) == ':') {
                portText = hostPort.substring(close + 2);
            }
        } else {
            if (hostPort.indexOf(':') != hostPort.lastIndexOf(':')) {
                throw InvalidInputException.of(
                        option,
                        "'" + redact(text) + "' names a host with several ':'",
                        "write an IPv6 address in brackets: postgresql://USER@[::1]:5432/DATABASE");
            }
            int colon = hostPort.lastIndexOf(':');
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            portText = colon < 0 ? null : hostPort.substring(colon + 1);
        }
        if (portText != null && !portText.isEmpty()) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw InvalidInputException.of(
                        option,
                        "'" + redact(text) + "' names a port that is not a number",
                        "use 1-65535, or leave it out for 5432; write any '/', '@' or '#' in the user or password as"
                                + " %2F, %40 or %23 (or put the password in PGPASSWORD)");
            }
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.contains("@")
                || (uri.getRawQuery() != null && uri.getRawQuery().contains("@"))) {
            // A password holding '/' cut the address short: what follows it is not a database.
            throw InvalidInputException.of(
                    option,
                    "'" + redact(text) + "' has an '@' after the host",
                    "write any '/', '@', '?' or '#' in the user or password as %2F, %40, %3F or %23, or put the"
                            + " password in PGPASSWORD");
        }
        if (host.isEmpty() || path.length() < 2 || path.indexOf('/', 1) >= 0) {
            throw InvalidInputException.of(
                    option,
                    "'" + redact(text) + "' does not name a host and one database",
                    "write it as postgresql://USER@HOST:PORT/DATABASE, for example"
                            + " postgresql://postgres@127.0.0.1:5432/labloop");
        }
        String database = decode(path.substring(1));
        Map<String, String> query = query(uri.getRawQuery(), option);
        String user = null;
        String password = null;
        if (info != null) {
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            if (user.isEmpty()) {
                user = null; // "postgresql://@host/db" names no user: PGUSER or the system's user name then does
            }
            password = colon < 0 ? null : decode(info.substring(colon + 1));
        }
        // One name for each thing: a second one, which the driver would quietly ignore, is refused.
        if (user != null && query.containsKey("user") && !query.get("user").equals(user)) {
            throw InvalidInputException.of(
                    option,
                    "the PostgreSQL address names user '" + user + "' before the host and user '" + query.get("user")
                            + "' in its options",
                    "keep one of them");
        }
        if (query.containsKey("schema") && query.containsKey("currentSchema")) {
            throw InvalidInputException.of(
                    option, "the PostgreSQL address gives both schema and currentSchema", "keep one of them");
        }
        user = firstOf(user, query.remove("user"), env.get("PGUSER"), System.getProperty("user.name"));
        password = firstOf(password, query.remove("password"), env.get("PGPASSWORD"));
        String schema = firstOf(query.remove("schema"), query.remove("currentSchema"), Postgres.DEFAULT_SCHEMA);
        for (Map.Entry<String, String> e : query.entrySet()) {
            requireDriverOption(e.getKey(), e.getValue(), option);
        }
        return new Postgres(host, port, database, user, password, schema, query);
    }

    /**
     * The driver ignores options it does not know, so a misspelt {@code shema} would put the store in the default
     * schema without a word: refused here instead.
     */
    private static void requireDriverOption(String key, String value, String option) {
        org.postgresql.PGProperty property = org.postgresql.PGProperty.forName(key);
        if (property != null) {
            String[] choices = property.getChoices();
            if (choices != null && choices.length > 0 && !List.of(choices).contains(value)) {
                // Otherwise the driver refuses it only when it connects, and it would read as the server's fault.
                throw InvalidInputException.of(
                        option,
                        "the PostgreSQL address gives option '" + key + "' the value '" + value
                                + "', which the driver does not take",
                        "give one of " + String.join(", ", choices));
            }
            return;
        }
        java.util.List<String> known = new java.util.ArrayList<>(List.of("schema", "user", "password"));
        for (org.postgresql.PGProperty p : org.postgresql.PGProperty.values()) {
            known.add(p.getName());
        }
        throw InvalidInputException.of(
                option,
                // The address is not repeated: a misspelt key such as 'pasword' would show its value.
                "the PostgreSQL address has an option '" + key + "' that neither LabLoop nor the PostgreSQL driver"
                        + " knows"
                        + Suggest.closest(key, known)
                                .map(k -> " (did you mean '" + k + "'?)")
                                .orElse(""),
                "LabLoop reads schema, user and password from the address; anything else goes to the driver, whose"
                        + " options are listed at jdbc.postgresql.org (for example sslmode, connectTimeout)");
    }

    private static Map<String, String> query(String raw, String option) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (out.put(key, eq < 0 ? "" : decode(pair.substring(eq + 1))) != null) {
                // The value is not repeated: it may be a password.
                throw InvalidInputException.of(
                        option,
                        "the PostgreSQL address gives option '" + key + "' twice",
                        "keep one: the driver would read only one of them, without a word");
            }
        }
        return out;
    }

    /** Percent-decoding only: a '+' in a user, password or database name is a '+', not a space. */
    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @SafeVarargs
    private static <T> T firstOf(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /**
     * The address with whatever may hold a password replaced, for messages: everything between {@code ://} and the
     * last {@code @} (a password may itself hold '/' or '@'), and any {@code password=} option.
     */
    static String redact(String text) {
        String out = text;
        int start = out.indexOf("://");
        int at = out.lastIndexOf('@');
        if (start >= 0 && at > start) {
            out = out.substring(0, start + 3) + "***" + out.substring(at);
        }
        return out.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}

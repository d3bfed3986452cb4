package org.labloop.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.labloop.campaign.ExperimentState;
import org.labloop.campaign.SourceFile;
import org.labloop.config.CampaignLoader;
import org.labloop.core.AuditText;
import org.labloop.core.InvalidInputException;
import org.labloop.core.Problem;
import org.labloop.core.Version;
import org.labloop.data.Dataset;
import org.labloop.event.Event;
import org.labloop.lab.Lab;
import org.labloop.lab.LabStore;
import org.labloop.lab.Signing;
import org.labloop.store.StoreLocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code labloop serve}: the REST API (under /api/v1, described by /openapi.yaml), live event streams (SSE), the
 * dashboard (static files, no CDN), /health and Prometheus /metrics, over one embedded store. Every request except
 * login, health and static files needs {@code Authorization: Bearer TOKEN}; see docs/api.md.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    static final String API = "/api/v1";
    private static final String PRINCIPAL = "labloop.principal";
    private static final String STARTED = "labloop.started";
    private static final int MAX_PAGE_SIZE = 1000;

    private final Options options;
    private final ObjectMapper json;
    private final com.fasterxml.jackson.databind.ObjectReader bodyReader;
    private static final java.util.concurrent.atomic.AtomicLong INCIDENTS =
            new java.util.concurrent.atomic.AtomicLong();
    private final Metrics metrics = new Metrics();
    private LabStore store;
    private ApiTokens tokens;
    private CampaignHub hub;
    private volatile boolean closing;
    private Javalin app;
    /** Every endpoint as "METHOD /path" (filters and static files aside), as registered. */
    private final java.util.Set<String> endpoints = new java.util.concurrent.ConcurrentSkipListSet<>();

    /**
     * How to run: where the store is, which address to bind (loopback by default), the pace of simulated campaigns
     * (virtual seconds per real second; 0 = as fast as possible) and where example campaigns live.
     */
    public record Options(String host, int port, StoreLocation store, double pace, Path examplesDir, Path baseDir) {
        public Options {
            java.util.Objects.requireNonNull(store, "store");
            if (pace < 0 || Double.isNaN(pace)) {
                throw new IllegalArgumentException("pace must be 0 or positive");
            }
        }

        /** A store in data directory {@code dataDir}. */
        public Options(String host, int port, Path dataDir, double pace, Path examplesDir, Path baseDir) {
            this(host, port, new StoreLocation.Directory(dataDir), pace, examplesDir, baseDir);
        }
    }

    public ApiServer(Options options) {
        this.options = options;
        this.json = JsonMapper.builder()
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
        // A body that names a field twice is refused rather than read by its last value.
        this.bodyReader = json.reader()
                .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .with(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }

    /** Opens the store and starts listening; returns the port (useful with port 0). */
    public int start() {
        requireListenable();
        Lab lab = new Lab();
        store = LabStore.open(options.store());
        tokens = ApiTokens.open(options.store());
        hub = new CampaignHub(lab, store, options.baseDir(), options.pace(), metrics, this::encode);
        app = Javalin.create(this::configure);
        try {
            app.start(options.host(), options.port());
        } catch (RuntimeException e) {
            close();
            throw cannotListen(e);
        }
        LOG.info("listening on {}:{}", options.host(), app.port());
        return app.port();
    }

    public int port() {
        return app.port();
    }

    /**
     * Fails as {@link #start} would when the address cannot be listened on, before the store is opened: a server that
     * cannot start writes nothing (a new data directory is not made).
     */
    private void requireListenable() {
        java.net.InetSocketAddress address = new java.net.InetSocketAddress(options.host(), options.port());
        if (address.isUnresolved()) {
            throw cannotListen(new IllegalStateException(new java.net.UnknownHostException(options.host())));
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true); // as the HTTP server binds: a port left in TIME_WAIT is free
            probe.bind(address);
        } catch (java.io.IOException | RuntimeException e) {
            throw cannotListen(new IllegalStateException(e));
        }
    }

    /** Why the server could not listen, as the person who started it can act on it. */
    private InvalidInputException cannotListen(RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String where = options.host() + ":" + options.port();
        if (root instanceof java.net.UnknownHostException
                || root instanceof java.nio.channels.UnresolvedAddressException
                || (root instanceof java.net.BindException
                        && String.valueOf(root.getMessage()).contains("Cannot assign requested address"))) {
            return InvalidInputException.of(
                    "--host " + options.host(),
                    "no such address on this machine",
                    "give an address of this machine, such as 127.0.0.1 (the default) or 0.0.0.0 for every one");
        }
        if (root instanceof java.net.BindException) {
            return InvalidInputException.of(
                    "--port " + options.port(),
                    "cannot listen on " + where + " (" + root.getMessage() + ")",
                    "another program may use the port: pick another with --port, or 0 for any free one");
        }
        return InvalidInputException.of(
                "--host " + options.host() + " --port " + options.port(),
                "cannot listen on " + where + ": " + root.getMessage(),
                "check the address and port");
    }

    public ApiTokens tokens() {
        return tokens;
    }

    @Override
    public void close() {
        closing = true; // event streams end at their next token check instead of asking a closed store
        if (app != null) {
            app.stop();
        }
        if (hub != null) {
            hub.close();
        }
        if (tokens != null) {
            tokens.close();
        }
        if (store != null) {
            store.close();
        }
    }

    /** The endpoints the server answers, as "METHOD /path" (for checking the OpenAPI document against them). */
    java.util.Set<String> endpoints() {
        return java.util.Set.copyOf(endpoints);
    }

    String encode(Event e) {
        try {
            return json.writeValueAsString(Views.event(e));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot encode event " + e.seq(), ex);
        }
    }

    // ------------------------------------------------------------------ configuration

    private void configure(JavalinConfig config) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        // A known path with the wrong method is a 405 naming the method, not a 404.
        config.http.prefer405over404 = true;
        config.concurrency.useVirtualThreads = true;
        config.jsonMapper(new JavalinJackson(json, false));
        config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler(json)));
        config.staticFiles.add(sf -> {
            sf.hostedPath = "/";
            sf.directory = "/public";
            sf.location = Location.CLASSPATH;
            sf.headers = Map.of("Cache-Control", "no-cache");
        });
        config.staticFiles.enableWebjars();
        config.events.handlerAdded(h -> {
            String method = h.getHttpMethod().name();
            if (!method.startsWith("BEFORE") && !method.startsWith("AFTER")) {
                endpoints.add(method + " " + h.getPath());
            }
        });

        var r = config.routes;
        r.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
        r.before(API + "/*", this::authenticate);
        r.before("/metrics", this::authenticate);
        r.after(ctx -> {
            if (recycled(ctx)) {
                return;
            }
            Long t0 = ctx.attribute(STARTED);
            if (t0 != null && !ctx.path().endsWith("/stream")) {
                metrics.http(ctx.method().name(), ctx.statusCode(), System.nanoTime() - t0);
            }
        });

        r.exception(ApiError.class, (e, ctx) -> error(ctx, e));
        r.exception(InvalidInputException.class, (e, ctx) -> error(ctx, invalid(e)));
        r.exception(org.labloop.store.StoreUnavailableException.class, (e, ctx) -> {
            // The detail (the database's address) stays in the server's log: a caller may not even have a token.
            LOG.warn("{} {}: {}", ctx.method(), ctx.path(), e.getMessage());
            ctx.header("Retry-After", "30");
            error(
                    ctx,
                    new ApiError(
                            503,
                            "store_unavailable",
                            "the store's database server cannot be reached just now; ask again shortly",
                            null));
        });
        r.exception(Exception.class, (e, ctx) -> {
            if (recycled(ctx)) {
                // An event stream whose client went away: Jetty already recycled the exchange; nothing to answer.
                LOG.debug("request finished after its connection closed: {}", e.toString());
                return;
            }
            long incident = INCIDENTS.incrementAndGet();
            LOG.error("{} {} failed (incident {})", ctx.method(), ctx.path(), incident, e);
            error(
                    ctx,
                    new ApiError(
                            500, "internal", "internal error (incident " + incident + " in the server's log)", null));
        });
        r.error(404, ctx -> {
            if (!isJson(ctx.result())) {
                error(ctx, ApiError.notFound(null, "no such endpoint: " + ctx.method() + " " + ctx.path()));
            }
        });
        r.error(405, ctx -> {
            if (!isJson(ctx.result())) {
                error(ctx, new ApiError(405, "method_not_allowed", ctx.method() + " is not allowed here", null));
            }
        });
        r.error(413, ctx -> {
            if (!isJson(ctx.result())) {
                error(
                        ctx,
                        new ApiError(
                                413, "too_large", "the request body is larger than the server takes (1 MB)", "body"));
            }
        });

        r.get("/health", taking(this::health));
        r.get("/metrics", taking(this::metrics));
        r.post(API + "/login", taking(this::login));
        r.get(API + "/me", taking(ctx -> ctx.json(principal(ctx))));
        r.get(API + "/examples", taking(this::examples));
        r.get(API + "/examples/{name}", taking(this::example));
        r.get(API + "/campaigns", taking(this::listCampaigns, "status", "page", "size"));
        r.post(API + "/campaigns", taking(this::createCampaign));
        r.get(API + "/campaigns/{id}", taking(ctx -> {
            CampaignView v = hub.view(ctx.pathParam("id"));
            ctx.json(v.read(s -> Views.detail(v, s)));
        }));
        r.post(API + "/campaigns/{id}/start", taking(ctx -> control(ctx, "start")));
        r.post(API + "/campaigns/{id}/pause", taking(ctx -> control(ctx, "pause")));
        r.post(API + "/campaigns/{id}/resume", taking(ctx -> control(ctx, "resume")));
        r.post(API + "/campaigns/{id}/abort", taking(ctx -> control(ctx, "abort")));
        r.post(API + "/campaigns/{id}/requests/{rid}/ack", taking(this::acknowledge));
        r.post(API + "/campaigns/{id}/sign", taking(this::sign));
        r.get(API + "/campaigns/{id}/experiments", taking(this::experiments, "status", "page", "size"));
        r.get(API + "/campaigns/{id}/experiments/{eid}", taking(this::experiment));
        r.get(
                API + "/campaigns/{id}/measurements",
                taking(this::measurements, "name", "device", "experiment", "page", "size"));
        r.get(API + "/campaigns/{id}/steps", taking(this::steps, "device", "page", "size"));
        r.get(API + "/campaigns/{id}/devices", taking(ctx -> {
            CampaignView v = hub.view(ctx.pathParam("id"));
            ctx.json(Map.of("items", v.read(s -> Views.devices(v, s))));
        }));
        r.get(API + "/devices", taking(this::devices));
        r.get(API + "/campaigns/{id}/events", taking(this::events, "after", "limit", "type"));
        r.before(API + "/campaigns/{id}/stream", ctx -> {
            onlyParams(ctx, Set.of("after"));
            hub.view(ctx.pathParam("id"));
            streamStart(ctx);
            if (!acceptsEventStream(ctx.header("Accept"))) {
                throw new ApiError(
                        406,
                        "not_acceptable",
                        "this is a server-sent event stream: send 'Accept: text/event-stream' (an EventSource does),"
                                + " or page through .../events",
                        "Accept");
            }
        });
        r.sse(API + "/campaigns/{id}/stream", client -> {
            CampaignView v = hub.view(client.ctx().pathParam("id"));
            String token = client.ctx().header("Authorization").substring(7).trim();
            SseStream stream = new SseStream(client, () -> {
                if (closing) {
                    return false;
                }
                try {
                    return tokens.authenticate(token).isPresent();
                } catch (org.labloop.core.LabLoopException e) {
                    // The token table cannot be read just now (busy, closing): the stream goes on until it can.
                    LOG.warn("cannot check the token of an event stream: {}", e.getMessage());
                    return true;
                }
            });
            Runnable unsubscribe = v.subscribe(streamStart(client.ctx()), stream::offer);
            client.onClose(stream::stop);
            try {
                stream.pump();
            } finally {
                unsubscribe.run();
            }
        });
        r.get(API + "/campaigns/{id}/dataset", taking(this::dataset, "format"));
    }

    /** {@code handler}, after refusing query parameters it does not take (a misspelt filter would return all). */
    private static io.javalin.http.Handler taking(io.javalin.http.Handler handler, String... params) {
        Set<String> allowed = Set.of(params);
        return ctx -> {
            onlyParams(ctx, allowed);
            handler.handle(ctx);
        };
    }

    private static void onlyParams(Context ctx, Set<String> allowed) {
        for (Map.Entry<String, List<String>> e : ctx.queryParamMap().entrySet()) {
            String name = e.getKey();
            if (name.isEmpty()) {
                continue; // "?&size=10" or a trailing "&"
            }
            if (!allowed.contains(name)) {
                throw ApiError.badRequest(
                        name,
                        "unknown query parameter '" + name + "'; "
                                + (allowed.isEmpty()
                                        ? "this endpoint takes no query parameters"
                                        : meant(name, allowed)));
            }
            if (e.getValue().size() > 1) {
                throw ApiError.badRequest(
                        name,
                        "query parameter '" + name + "' is given "
                                + e.getValue().size() + " times; give it once"
                                + " (several values go comma-separated in one, as in status=running,paused)");
            }
        }
    }

    /** "did you mean ..." for a name close to one of {@code known}, otherwise the names it could be. */
    private static String meant(String name, Set<String> known) {
        return org.labloop.core.Suggest.closest(name, known)
                .map(c -> "did you mean '" + c + "'?")
                .orElse("it takes " + String.join(", ", new java.util.TreeSet<>(known)));
    }

    /** Whether an Accept header admits text/event-stream, wildcards included. */
    static boolean acceptsEventStream(String accept) {
        if (accept == null) {
            return false;
        }
        for (String part : accept.split(",")) {
            String type = part.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
            if (type.equals("text/event-stream") || type.equals("text/*") || type.equals("*/*")) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ auth and errors

    /** True when Jetty has already recycled the exchange (a closed event stream finishing late). */
    private static boolean recycled(Context ctx) {
        try {
            ctx.path();
            return false;
        } catch (RuntimeException e) {
            return true;
        }
    }

    /** True when the response already holds one of our JSON errors (so Javalin's plain-text default is replaced). */
    private static boolean isJson(String result) {
        return result != null && result.startsWith("{");
    }

    private void authenticate(Context ctx) {
        String path = ctx.path();
        if (path.equals(API + "/login") || "OPTIONS".equals(ctx.method().name())) {
            return;
        }
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiError.unauthorized("this endpoint needs 'Authorization: Bearer TOKEN'; "
                    + "issue a token with: labloop token create --name NAME");
        }
        String presented = header.substring(7).trim();
        Principal p = tokens.authenticate(presented).orElseThrow(() -> {
            refusedToken(presented, source(ctx), ctx.method() + " " + path);
            return ApiError.unauthorized("the token is not valid (unknown or revoked)");
        });
        ctx.attribute(PRINCIPAL, p);
    }

    /**
     * Records a refused token: whose it was when it is a revoked one (someone, or some script, still uses it), "?" when
     * it is unknown. The caller answers 401 either way.
     */
    private void refusedToken(String token, String source, String detail) {
        java.util.Optional<String> owner = tokens.revokedOwner(token);
        tokens.refused(
                ApiTokens.TOKEN_REFUSED,
                owner.orElse("?"),
                null,
                source,
                owner.isPresent() ? detail + " (a revoked token)" : detail);
    }

    /** Where a request came from, for the record of refusals. */
    private static String source(Context ctx) {
        return "api " + ctx.ip();
    }

    private static Principal principal(Context ctx) {
        Principal p = ctx.attribute(PRINCIPAL);
        if (p == null) {
            throw ApiError.unauthorized("not logged in");
        }
        return p;
    }

    private static Principal controller(Context ctx) {
        Principal p = principal(ctx);
        if (!p.mayControl()) {
            throw ApiError.forbidden("token '" + p.name() + "' has role " + p.role()
                    + ", which may only read; creating and controlling campaigns needs operator or admin");
        }
        return p;
    }

    private void error(Context ctx, ApiError e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", e.code());
        body.put("message", e.getMessage());
        body.put("field", e.field());
        if (!e.problems().isEmpty()) {
            body.put("problems", e.problems());
        }
        if (e.status() == 401) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"labloop\"");
        }
        ctx.status(e.status()).json(body);
    }

    /** The loader's problems (file, line, column, message, hint) as a 400 naming the field of the first one. */
    private static ApiError invalid(InvalidInputException e) {
        List<Map<String, Object>> problems = new ArrayList<>();
        for (Problem p : e.problems()) {
            problems.add(Views.obj(
                    "field", fieldOf(p.source()),
                    "file", p.source(),
                    "line", p.line(),
                    "column", p.column(),
                    "message", p.message(),
                    "hint", p.hint()));
        }
        Problem first = e.problems().get(0);
        String message =
                e.problems().size() == 1 ? first.toString() : e.problems().size() + " problems; first: " + first;
        return new ApiError(400, "invalid_campaign", message, fieldOf(first.source()), problems);
    }

    private static String fieldOf(String source) {
        for (String role : List.of(CampaignLoader.WORKCELL, CampaignLoader.PROTOCOL, CampaignLoader.CAMPAIGN)) {
            if (source.equals(role + ".yaml") || source.endsWith("/" + role + ".yaml")) {
                return role;
            }
        }
        return CampaignLoader.CAMPAIGN;
    }

    // ------------------------------------------------------------------ handlers

    private void health(Context ctx) {
        ctx.json(Views.obj(
                "status", "ok",
                "version", Version.current(),
                "campaigns_running", hub.running(),
                "sse_clients", SseStream.OPEN.get()));
    }

    private void login(Context ctx) {
        JsonNode body = body(ctx, Set.of("token"));
        JsonNode token = body.get("token");
        if (token == null || !token.isTextual() || token.asText().isBlank()) {
            throw ApiError.badRequest("token", "send {\"token\": \"llt_...\"}");
        }
        String presented = token.asText().trim();
        Principal p = tokens.authenticate(presented).orElseThrow(() -> {
            refusedToken(presented, source(ctx), "login");
            return ApiError.unauthorized("the token is not valid (unknown or revoked)");
        });
        ctx.json(Views.obj("name", p.name(), "role", p.role()));
    }

    private void metrics(Context ctx) {
        StringBuilder out = new StringBuilder();
        List<CampaignView> all = hub.all();
        Metrics.gauge(out, "labloop_experiments", "Experiments per campaign and state.");
        for (CampaignView v : all) {
            Map<String, Long> counts = v.read(s -> s.experiments().values().stream()
                    .collect(Collectors.groupingBy(
                            x -> x.status().name().toLowerCase(Locale.ROOT), Collectors.counting())));
            for (String st : List.of("proposed", "running", "completed", "failed")) {
                Metrics.line(
                        out,
                        "labloop_experiments",
                        Metrics.labels("campaign", v.id(), "state", st),
                        counts.getOrDefault(st, 0L));
            }
        }
        Metrics.gauge(out, "labloop_campaigns", "Campaigns per status.");
        Map<String, Long> byStatus = new java.util.TreeMap<>();
        for (CampaignView v : all) {
            byStatus.merge(v.read(s -> Views.status(v, s)), 1L, Long::sum);
        }
        byStatus.forEach((k, n) -> Metrics.line(out, "labloop_campaigns", Metrics.labels("status", k), n));
        Metrics.gauge(
                out, "labloop_queue_length", "Experiments in the lab waiting for a device, per running campaign.");
        hub.queueLengths()
                .forEach((id, n) -> Metrics.line(out, "labloop_queue_length", Metrics.labels("campaign", id), n));
        Metrics.gauge(out, "labloop_sse_clients", "Open event streams.");
        Metrics.line(out, "labloop_sse_clients", "", SseStream.OPEN.get());
        metrics.renderHistograms(out);
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(out.toString());
    }

    /** The status words a campaign can show, for filters. */
    private static final Set<String> STATUSES =
            Set.of("created", "running", "paused", "completed", "aborted", "failed", "interrupted", "altered");

    private void listCampaigns(Context ctx) {
        Set<String> statuses = csv(ctx, "status");
        for (String st : statuses) {
            if (!STATUSES.contains(st)) {
                throw ApiError.badRequest(
                        "status",
                        "unknown status '" + st + "'; use " + String.join(", ", new java.util.TreeSet<>(STATUSES)));
            }
        }
        List<Map<String, Object>> items = new ArrayList<>();
        for (CampaignView v : hub.all()) {
            Map<String, Object> m = v.read(s -> Views.summary(v, s));
            if (statuses.isEmpty() || statuses.contains((String) m.get("status"))) {
                items.add(m);
            }
        }
        ctx.json(page(ctx, items));
    }

    private void createCampaign(Context ctx) {
        Principal who = controller(ctx);
        JsonNode body = body(
                ctx,
                Set.of(
                        "example",
                        CampaignLoader.CAMPAIGN,
                        CampaignLoader.WORKCELL,
                        CampaignLoader.PROTOCOL,
                        "seed",
                        "start"));
        Long seed = null;
        if (body.has("seed") && !body.get("seed").isNull()) {
            if (!body.get("seed").canConvertToLong() || !body.get("seed").isIntegralNumber()) {
                throw ApiError.badRequest("seed", "seed must be an integer");
            }
            seed = body.get("seed").asLong();
        }
        boolean start = false;
        if (body.has("start")) {
            if (!body.get("start").isBoolean()) {
                throw ApiError.badRequest("start", "start must be true or false");
            }
            start = body.get("start").asBoolean();
        }
        List<SourceFile> sources;
        if (body.has("example")) {
            for (String role : List.of(CampaignLoader.CAMPAIGN, CampaignLoader.WORKCELL, CampaignLoader.PROTOCOL)) {
                if (body.has(role)) {
                    throw ApiError.badRequest(
                            role, "give either 'example' or the campaign, workcell and protocol files, not both");
                }
            }
            sources = exampleSources(text(body, "example"));
        } else {
            sources = List.of(
                    source(body, CampaignLoader.CAMPAIGN),
                    source(body, CampaignLoader.WORKCELL),
                    source(body, CampaignLoader.PROTOCOL));
        }
        String id = hub.create(sources, seed, who, start);
        // A campaign whose file asks for signatures is created and waits for them: starting it would be refused.
        boolean awaitsSignatures = hub.signaturesMissing(id) > 0;
        if (start && !awaitsSignatures) {
            hub.start(id, who);
        }
        CampaignView v = hub.view(id);
        Map<String, Object> detail = v.read(s -> Views.detail(v, s));
        if (start && awaitsSignatures) {
            detail.put(
                    "not_started",
                    "campaign " + id + " waits for signatures before it runs: each signer sends POST " + API
                            + "/campaigns/" + id + "/sign, then start it");
        }
        ctx.status(201).header("Location", API + "/campaigns/" + id).json(detail);
    }

    private SourceFile source(JsonNode body, String role) {
        JsonNode n = body.get(role);
        if (n == null || n.isNull()) {
            throw ApiError.badRequest(
                    role, "missing '" + role + "': give the " + role + " file as YAML text or as a JSON object");
        }
        String text;
        if (n.isTextual()) {
            text = n.asText();
        } else if (n.isObject()) {
            try {
                // JSON is YAML: pretty-printed so that problems point at a useful line.
                text = json.writerWithDefaultPrettyPrinter().writeValueAsString(n);
            } catch (JsonProcessingException e) {
                throw ApiError.badRequest(role, "cannot read '" + role + "': " + e.getOriginalMessage());
            }
        } else {
            throw ApiError.badRequest(role, "'" + role + "' must be YAML text or a JSON object");
        }
        if (text.length() > 1_000_000) {
            throw ApiError.badRequest(role, "'" + role + "' is larger than 1 MB");
        }
        return SourceFile.of(role, role + ".yaml", text);
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw ApiError.badRequest(field, "'" + field + "' must be a non-empty string");
        }
        return n.asText();
    }

    private void control(Context ctx, String action) {
        Principal who = controller(ctx);
        String id = ctx.pathParam("id");
        hub.view(id); // an unknown campaign is a 404 whatever the body says
        JsonNode body = optionalBody(
                ctx,
                switch (action) {
                    case "start" -> Set.of("together_with");
                    case "pause" -> Set.of("reason", "immediate");
                    default -> Set.of("reason");
                });
        String reason = optionalText(body, "reason", "");
        if (reason.isEmpty()) {
            if (action.equals("abort")) {
                // Giving a campaign up for good is the one control the audit trail must say why of.
                throw ApiError.badRequest(
                        "reason", "an abort needs a reason: send {\"reason\": \"why the campaign is given up\"}");
            }
            reason = "requested through the API";
        }
        boolean immediate = false;
        if (body.has("immediate")) {
            if (!body.get("immediate").isBoolean()) {
                throw ApiError.badRequest("immediate", "immediate must be true or false");
            }
            immediate = body.get("immediate").asBoolean();
        }
        List<String> togetherWith = new java.util.ArrayList<>();
        if (body.has("together_with")) {
            JsonNode n = body.get("together_with");
            if (!n.isArray() || n.size() > 100) {
                throw ApiError.badRequest(
                        "together_with",
                        "together_with is a list of campaign ids (at most 100) to start with this one on its workcell");
            }
            for (JsonNode other : n) {
                if (!other.isTextual()) {
                    throw ApiError.badRequest("together_with", "together_with holds campaign ids as text");
                }
                togetherWith.add(other.asText());
            }
        }
        switch (action) {
            case "start" -> hub.start(id, who, togetherWith);
            case "pause" -> hub.pause(id, who, reason, immediate);
            case "resume" -> hub.resume(id, who, reason);
            case "abort" -> hub.abort(id, who, reason);
            default -> throw new IllegalArgumentException(action);
        }
        CampaignView v = hub.view(id);
        ctx.status(202).json(Views.obj("accepted", action, "campaign", v.read(s -> Views.summary(v, s))));
    }

    /**
     * An electronic signature on a campaign before it runs: the signer sends their token again in the body (proving
     * that they, not just their browser session, sign) and what the signature means.
     */
    private void sign(Context ctx) {
        Principal session = principal(ctx);
        String id = ctx.pathParam("id");
        JsonNode body = body(ctx, Set.of("token", "meaning"));
        JsonNode token = body.get("token");
        if (token == null || !token.isTextual() || token.asText().isBlank()) {
            throw ApiError.badRequest(
                    "token", "send your token again in the body to sign: {\"token\": \"llt_...\", \"meaning\": ...}");
        }
        // 403, not 401: the session stays valid (a mistyped signature must not log the person out).
        hub.view(id); // an unknown campaign is a 404, and nothing is recorded about it
        java.util.Optional<Principal> owner = tokens.authenticate(token.asText().trim());
        Principal signer = owner.filter(p -> p.name().equals(session.name())).orElseThrow(() -> {
            String why = "the token given to sign with is not a valid token of '" + session.name()
                    + "', who is logged in; each person signs with their own token";
            tokens.refused(
                    ApiTokens.SIGNATURE_REFUSED,
                    session.name(),
                    id,
                    source(ctx),
                    owner.map(p -> "the token given is " + p.name() + "'s, not " + session.name() + "'s")
                            .orElse("the token given is not a valid token (unknown or revoked)"));
            return ApiError.forbidden(why);
        });
        String meaning = Signing.DEFAULT_MEANING;
        JsonNode m = body.get("meaning");
        if (m != null) {
            if (!m.isTextual()) {
                throw ApiError.badRequest(
                        "meaning", "meaning is text of 1 to " + Signing.MAX_MEANING + " characters, or left out");
            }
            meaning = m.asText(); // a blank one is refused, not replaced: what is recorded is what was signed
        }
        try {
            hub.sign(id, signer, meaning);
        } catch (ApiError e) {
            if (e.status() != 404) {
                tokens.refused(ApiTokens.SIGNATURE_REFUSED, signer.name(), id, source(ctx), e.getMessage());
            }
            throw e;
        }
        CampaignView v = hub.view(id);
        ctx.status(201).json(Views.obj("signed_by", signer.name(), "campaign", v.read(s -> Views.detail(v, s))));
    }

    private void acknowledge(Context ctx) {
        Principal who = controller(ctx);
        String id = ctx.pathParam("id");
        String note = optionalText(optionalBody(ctx, Set.of("note")), "note", "acknowledged through the API");
        hub.acknowledge(id, who, ctx.pathParam("rid"), note);
        CampaignView v = hub.view(id);
        ctx.status(202).json(Views.obj("accepted", "ack", "campaign", v.read(s -> Views.summary(v, s))));
    }

    private void experiments(Context ctx) {
        CampaignView v = hub.view(ctx.pathParam("id"));
        Set<String> statuses = csv(ctx, "status");
        for (String s : statuses) {
            if (!Set.of("proposed", "running", "completed", "failed").contains(s)) {
                throw ApiError.badRequest(
                        "status", "unknown status '" + s + "'; use proposed, running, completed, failed");
            }
        }
        List<Map<String, Object>> items = v.read(s -> s.experiments().values().stream()
                .filter(x -> statuses.isEmpty()
                        || statuses.contains(x.status().name().toLowerCase(Locale.ROOT)))
                .map(x -> Views.experiment(v.spec(), s, x))
                .toList());
        ctx.json(page(ctx, items));
    }

    private void experiment(Context ctx) {
        CampaignView v = hub.view(ctx.pathParam("id"));
        String eid = ctx.pathParam("eid");
        Map<String, Object> m = v.read(s -> {
            ExperimentState x = s.experiments().get(eid);
            return x == null ? null : Views.provenance(v, s, x);
        });
        if (m == null) {
            throw ApiError.notFound("eid", "campaign " + v.id() + " has no experiment '" + eid + "'");
        }
        ctx.json(m);
    }

    private void measurements(Context ctx) {
        CampaignView v = hub.view(ctx.pathParam("id"));
        Set<String> names = csv(ctx, "name");
        Set<String> devices = csv(ctx, "device");
        Set<String> experiments = csv(ctx, "experiment");
        if (v.spec() != null && !names.isEmpty()) {
            // Declared outcomes and anything a measuring step recorded besides them.
            Set<String> measured = new java.util.TreeSet<>(v.spec().outcomes());
            v.read(s -> {
                s.experiments()
                        .values()
                        .forEach(x -> measured.addAll(x.measurements().keySet()));
                return null;
            });
            known("name", names, measured, "outcome");
        }
        if (v.spec() != null) {
            known("device", devices, deviceNames(v), "device");
        }
        List<Map<String, Object>> items = v.read(s -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (ExperimentState x : s.experiments().values()) {
                if (!experiments.isEmpty() && !experiments.contains(x.id())) {
                    continue;
                }
                x.measurements().values().stream()
                        .filter(m -> names.isEmpty() || names.contains(m.name()))
                        .filter(m -> devices.isEmpty() || devices.contains(m.device()))
                        .forEach(m -> {
                            Map<String, Object> row = Views.measurement(m);
                            row.put("experiment", x.id());
                            out.add(row);
                        });
            }
            return out;
        });
        ctx.json(page(ctx, items));
    }

    private static List<String> deviceNames(CampaignView v) {
        return v.spec().workcell().devices().stream().map(d -> d.name()).toList();
    }

    private void steps(Context ctx) {
        CampaignView v = hub.view(ctx.pathParam("id"));
        Set<String> devices = csv(ctx, "device");
        if (v.spec() != null) {
            known("device", devices, deviceNames(v), "device");
        }
        List<Map<String, Object>> items = v.read(s -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (ExperimentState x : s.experiments().values()) {
                x.steps().stream()
                        .filter(st -> devices.isEmpty() || devices.contains(st.device()))
                        .forEach(st -> out.add(Views.step(s, x, st)));
            }
            out.sort((a, b) -> Double.compare((double) a.get("start_min"), (double) b.get("start_min")));
            return out;
        });
        ctx.json(page(ctx, items));
    }

    private void devices(Context ctx) {
        // Per workcell: every campaign running on it now, each with the devices as its steps use them (a simulated
        // campaign has simulated devices of its own; campaigns sharing a workcell in one run share its devices), or,
        // when none runs, the latest campaign that used it.
        Map<String, List<Map<String, Object>>> live = new LinkedHashMap<>();
        Map<String, Map<String, Object>> latest = new LinkedHashMap<>();
        for (CampaignView v : hub.all()) {
            if (v.spec() == null) {
                continue;
            }
            String workcell = v.spec().workcell().name();
            boolean running =
                    (v.live() || v.elsewhere()) && !v.read(s -> s.status().finished());
            Map<String, Object> item = v.read(s -> Views.obj(
                    "workcell", workcell,
                    "campaign", v.id(),
                    "live", running,
                    "time_mode", v.timeMode(s),
                    "shared_with", s.sharedWith(),
                    "devices", Views.devices(v, s)));
            if (running) {
                live.computeIfAbsent(workcell, w -> new ArrayList<>()).add(item);
            } else {
                latest.put(workcell, item);
            }
        }
        List<Map<String, Object>> items = new ArrayList<>();
        java.util.Set<String> workcells = new java.util.LinkedHashSet<>(latest.keySet());
        workcells.addAll(live.keySet());
        for (String w : workcells) {
            if (live.containsKey(w)) {
                items.addAll(live.get(w));
            } else {
                items.add(latest.get(w));
            }
        }
        ctx.json(Map.of("items", items));
    }

    private void events(Context ctx) {
        CampaignView v = hub.view(ctx.pathParam("id"));
        long after = longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
        int limit = (int) longParam(ctx, "limit", 100, 1, MAX_PAGE_SIZE);
        Set<String> types = csv(ctx, "type");
        known("type", types, EVENT_TYPES, "event type");
        Predicate<Event> filter =
                types.isEmpty() ? e -> true : e -> types.contains(e.body().typeName());
        List<CampaignView.Published> page = v.events(after, limit, filter);
        long next = page.isEmpty() ? after : page.get(page.size() - 1).event().seq();
        // The events are encoded once, when they arrive; the page is stitched from those texts.
        String items = page.stream().map(CampaignView.Published::json).collect(Collectors.joining(",", "[", "]"));
        ctx.contentType("application/json")
                .result("{\"items\":" + items + ",\"next_after\":" + next + ",\"last_seq\":" + v.lastSeq() + "}");
    }

    private static long streamStart(Context ctx) {
        String lastId = ctx.header("Last-Event-ID");
        if (lastId != null && !lastId.isBlank()) {
            long seq;
            try {
                seq = Long.parseLong(lastId.trim());
            } catch (NumberFormatException e) {
                seq = -1;
            }
            if (seq < 0) {
                // As ?after= is: a seq is 0 or more.
                throw ApiError.badRequest("Last-Event-ID", "Last-Event-ID must be an event seq (0 or more)");
            }
            return seq;
        }
        return longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
    }

    private void dataset(Context ctx) {
        // The dataset is the record others will rely on: the stored log is proven intact again before it is served.
        CampaignView v = hub.recheck(ctx.pathParam("id"));
        String format = ctx.queryParam("format") == null ? "csv" : ctx.queryParam("format");
        if (!format.equals("csv") && !format.equals("json")) {
            throw ApiError.badRequest("format", "format must be csv or json");
        }
        Dataset.Recording recording = format.equals("json") ? hub.recording(v.id()) : null;
        String text = v.read(s -> format.equals("csv")
                ? Dataset.of(s, v.spec()).toCsv()
                : Dataset.of(s, v.spec()).withRecording(recording).toJson());
        ctx.header("Content-Disposition", "attachment; filename=\"" + v.id() + "." + format + "\"")
                .contentType(format.equals("csv") ? "text/csv; charset=utf-8" : "application/json")
                .result(text);
    }

    private void examples(Context ctx) {
        ctx.json(Map.of(
                "items", exampleNames().stream().map(n -> Views.obj("name", n)).toList()));
    }

    private List<String> exampleNames() {
        Path dir = options.examplesDir();
        if (dir == null || !Files.isDirectory(dir)) {
            return List.of();
        }
        try (var list = Files.list(dir)) {
            return list.filter(d -> Files.isRegularFile(d.resolve("campaign.yaml")))
                    .map(d -> d.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (java.io.IOException e) {
            throw new ApiError(500, "internal", "cannot list examples: " + e.getMessage(), null);
        }
    }

    private ApiError noExample(String name) {
        List<String> names = exampleNames();
        String hint = org.labloop.core.Suggest.closest(name, names)
                .map(c -> "; did you mean '" + c + "'?")
                .orElse(names.isEmpty() ? "; this server has no examples" : "; examples: " + String.join(", ", names));
        return ApiError.notFound("example", "no example '" + name + "'" + hint);
    }

    private void example(Context ctx) {
        List<SourceFile> sources = exampleSources(ctx.pathParam("name"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", ctx.pathParam("name"));
        sources.forEach(s -> m.put(s.role(), s.text()));
        ctx.json(m);
    }

    private List<SourceFile> exampleSources(String name) {
        if (!name.matches("[A-Za-z0-9_-]{1,64}") || options.examplesDir() == null) {
            throw noExample(name);
        }
        Path file = options.examplesDir().resolve(name).resolve("campaign.yaml");
        if (!Files.isRegularFile(file)) {
            throw noExample(name);
        }
        // Stored with a path relative to the examples folder, so the log does not record where the server was
        // installed.
        return new Lab()
                .loader().load(file).sources().stream()
                        .map(s -> new SourceFile(
                                s.role(),
                                "examples/" + name + "/" + Path.of(s.path()).getFileName(),
                                s.text(),
                                s.sha256()))
                        .toList();
    }

    // ------------------------------------------------------------------ request helpers

    private JsonNode body(Context ctx) {
        String text = ctx.body();
        if (text.isBlank()) {
            throw ApiError.badRequest("body", "the request needs a JSON body");
        }
        try {
            JsonNode n = bodyReader.readTree(text);
            if (n == null || !n.isObject()) {
                throw ApiError.badRequest("body", "the body must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw ApiError.badRequest(
                    "body",
                    "the body is not valid JSON: " + parserProblem(e.getOriginalMessage())
                            + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
    }

    /** The parser's message without its notes on where its input came from, which say nothing to a caller. */
    private static String parserProblem(String message) {
        return message.replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\][^)]*\\)", "")
                .replaceAll("\\s*at \\[Source:[\\s\\S]*$", "")
                .trim();
    }

    /** The body, refusing fields the endpoint does not take (a misspelt one would otherwise be ignored). */
    private JsonNode body(Context ctx, Set<String> fields) {
        JsonNode body = body(ctx);
        onlyFields(body, fields);
        return body;
    }

    /** A body that may be left out (then empty), with only these fields. */
    private JsonNode optionalBody(Context ctx, Set<String> fields) {
        return ctx.body().isBlank() ? json.createObjectNode() : body(ctx, fields);
    }

    /** Text for the audit trail: {@code dflt} when absent or blank, refused when it is not one line of plain text. */
    private static String optionalText(JsonNode body, String field, String dflt) {
        JsonNode n = body.get(field);
        if (n == null || n.isTextual() && n.asText().isBlank()) {
            return dflt;
        }
        String text = n.isTextual() ? n.asText().strip() : "";
        String problem = n.isTextual() ? AuditText.problem(text, AuditText.MAX_LINE) : "is not text";
        if (problem != null) {
            throw ApiError.badRequest(
                    field,
                    field + " must be one line of text of at most " + AuditText.MAX_LINE + " characters, without"
                            + " control, invisible or text-direction characters (it goes into the audit trail as"
                            + " written); this one " + problem);
        }
        return text;
    }

    private static void onlyFields(JsonNode body, Set<String> fields) {
        for (java.util.Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!fields.contains(f)) {
                throw ApiError.badRequest(f, "unknown field '" + f + "'; " + meant(f, fields));
            }
        }
    }

    /** A filter value that names nothing that exists is a mistake to report, not an empty page. */
    private static void known(String param, Set<String> asked, java.util.Collection<String> known, String what) {
        for (String a : asked) {
            if (!known.contains(a)) {
                String hint = org.labloop.core.Suggest.closest(a, known)
                        .map(c -> "did you mean '" + c + "'?")
                        .orElse("use " + String.join(", ", new java.util.TreeSet<>(known)));
                throw ApiError.badRequest(param, "unknown " + what + " '" + a + "'; " + hint);
            }
        }
    }

    /** Event type names, as stored in the log. */
    private static final Set<String> EVENT_TYPES = Arrays.stream(
                    org.labloop.event.EventBody.class.getPermittedSubclasses())
            .map(Class::getSimpleName)
            .collect(Collectors.toUnmodifiableSet());

    private static Set<String> csv(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(v.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    private static long longParam(Context ctx, String name, long dflt, long min, long max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name, name + " must be an integer, got '" + v + "'");
        }
        if (n < min || n > max) {
            throw ApiError.badRequest(name, name + " must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }

    /** One page of {@code items} ({@code page} from 1, {@code size} up to 1000), with the total. */
    private static Map<String, Object> page(Context ctx, List<Map<String, Object>> items) {
        int page = (int) longParam(ctx, "page", 1, 1, Integer.MAX_VALUE);
        int size = (int) longParam(ctx, "size", 50, 1, MAX_PAGE_SIZE);
        long from = (long) (page - 1) * size;
        List<Map<String, Object>> slice =
                from >= items.size() ? List.of() : items.subList((int) from, (int) Math.min(items.size(), from + size));
        return Views.obj("items", slice, "page", page, "size", size, "total", items.size());
    }
}

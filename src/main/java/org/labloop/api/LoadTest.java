package org.labloop.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A bounded load test of {@code labloop serve} on loopback: starts a server (in this process, on a fresh store), runs
 * the SnAr demo on it at a pace that keeps it running for the whole test, holds {@code clients} SSE streams open on
 * the campaign and fires {@code rps} read requests per second (open loop: latency is measured from when each request
 * was due, so a stalled server cannot hide its queueing) for {@code seconds}. Reports p50/p90/p99/max latency, errors,
 * what the streams received, and whether the campaign kept its pace.
 */
public final class LoadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Settings(int clients, int rps, int seconds, int warmup, double pace, Path dataDir) {}

    private LoadTest() {}

    public static int run(Settings s, Path examples, PrintWriter out) throws Exception {
        Path data = s.dataDir() != null ? s.dataDir() : Files.createTempDirectory("labloop-loadtest");
        try (ApiServer server = new ApiServer(new ApiServer.Options("127.0.0.1", 0, data, s.pace(), examples, data))) {
            int port = server.start();
            String base = "http://127.0.0.1:" + port;
            String token =
                    server.tokens().create("loadtest", Principal.OPERATOR).token();
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .executor(Executors.newVirtualThreadPerTaskExecutor())
                    .build();
            HttpResponse<String> created = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/v1/campaigns"))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"example\":\"snar\",\"start\":true}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() != 201) {
                out.println("cannot create the demo campaign: " + created.statusCode() + " " + created.body());
                return 1;
            }
            String id = JSON.readTree(created.body()).get("id").asText();
            long campaignStart = System.nanoTime();
            out.printf(
                    Locale.ROOT,
                    "Server %s, campaign %s at pace %.0f; %d SSE clients, %d req/s for %d s...%n",
                    base,
                    id,
                    s.pace(),
                    s.clients(),
                    s.rps(),
                    s.seconds());
            out.flush();

            // SSE clients.
            AtomicInteger sseConnected = new AtomicInteger();
            AtomicInteger sseErrors = new AtomicInteger();
            AtomicLongArray received = new AtomicLongArray(s.clients());
            CountDownLatch connected = new CountDownLatch(s.clients());
            List<Thread> streams = new ArrayList<>();
            List<InputStream> bodies = java.util.Collections.synchronizedList(new ArrayList<>());
            HttpClient sseHttp = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newVirtualThreadPerTaskExecutor())
                    .build();
            for (int i = 0; i < s.clients(); i++) {
                int k = i;
                streams.add(Thread.ofVirtual().start(() -> {
                    try {
                        HttpResponse<InputStream> r = sseHttp.send(
                                HttpRequest.newBuilder(URI.create(base + "/api/v1/campaigns/" + id + "/stream"))
                                        .header("Authorization", "Bearer " + token)
                                        .header("Accept", "text/event-stream")
                                        .build(),
                                HttpResponse.BodyHandlers.ofInputStream());
                        if (r.statusCode() != 200) {
                            sseErrors.incrementAndGet();
                            connected.countDown();
                            return;
                        }
                        bodies.add(r.body());
                        sseConnected.incrementAndGet();
                        connected.countDown();
                        try (BufferedReader in =
                                new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                            String line;
                            while ((line = in.readLine()) != null) {
                                if (line.startsWith("data:")) {
                                    received.incrementAndGet(k);
                                }
                            }
                        }
                    } catch (Exception e) {
                        if (!Thread.currentThread().isInterrupted()) {
                            sseErrors.incrementAndGet();
                        }
                        connected.countDown();
                    }
                }));
            }
            if (!connected.await(30, TimeUnit.SECONDS)) {
                out.printf("SSE: only %d of %d clients connected within 30 s%n", sseConnected.get(), s.clients());
            }

            // Open-loop read load.
            List<String> paths = List.of(
                    "/api/v1/campaigns",
                    "/api/v1/campaigns/" + id,
                    "/api/v1/campaigns/" + id + "/experiments?size=50",
                    "/api/v1/campaigns/" + id + "/events?limit=100",
                    "/api/v1/campaigns/" + id + "/devices",
                    "/api/v1/campaigns/" + id + "/measurements?name=sty",
                    "/health");
            if (s.warmup() > 0) {
                out.printf("Warming up for %d s (not measured)...%n", s.warmup());
                out.flush();
                Phase warm = new Phase(http, base, token, paths, s.rps(), s.warmup());
                warm.finished.await(s.warmup() + 30L, TimeUnit.SECONDS);
            }
            int total = s.rps() * s.seconds();
            Phase phase = new Phase(http, base, token, paths, s.rps(), s.seconds());
            long[] latency = phase.latency;
            AtomicLong errors = phase.errors;
            AtomicInteger next = phase.next;
            CountDownLatch finished = phase.finished;
            long t0 = phase.t0;
            ScheduledExecutorService ticker = phase.ticker;
            boolean all = finished.await(s.seconds() + 30L, TimeUnit.SECONDS);
            long elapsed = System.nanoTime() - t0;
            ticker.shutdownNow();

            JsonNode c = JSON.readTree(http.send(
                            HttpRequest.newBuilder(URI.create(base + "/api/v1/campaigns/" + id))
                                    .header("Authorization", "Bearer " + token)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            long lastSeq = c.get("last_seq").asLong();
            Thread.sleep(500);
            long minEvents = Long.MAX_VALUE;
            long maxEvents = 0;
            for (int i = 0; i < s.clients(); i++) {
                minEvents = Math.min(minEvents, received.get(i));
                maxEvents = Math.max(maxEvents, received.get(i));
            }
            long[] sorted = Arrays.stream(latency).filter(v -> v >= 0).sorted().toArray();
            out.printf(
                    Locale.ROOT,
                    "%nRequests: %d sent, %d answered in %.1f s (%.0f req/s)%s%n",
                    next.get(),
                    sorted.length,
                    elapsed / 1e9,
                    sorted.length / (elapsed / 1e9),
                    all ? "" : " - some never answered");
            out.printf(
                    Locale.ROOT,
                    "Latency (from when each request was due): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    pct(sorted, 0.50),
                    pct(sorted, 0.90),
                    pct(sorted, 0.99),
                    sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
            out.printf("Errors: %d (non-200 or failed requests)%n", errors.get() + (total - sorted.length));
            for (int p = 0; p < paths.size(); p++) {
                int k = p;
                long[] one = java.util.stream.IntStream.range(0, total)
                        .filter(i -> i % paths.size() == k && latency[i] >= 0)
                        .mapToLong(i -> latency[i])
                        .sorted()
                        .toArray();
                out.printf(
                        Locale.ROOT,
                        "  %-58s p50 %7.2f ms  p99 %8.2f ms%n",
                        paths.get(p).replace(id, "{id}"),
                        pct(one, 0.5),
                        pct(one, 0.99));
            }
            out.printf(
                    "SSE: %d of %d clients connected, %d stream errors; events received per client: min %d, max %d "
                            + "(campaign at event %d)%n",
                    sseConnected.get(), s.clients(), sseErrors.get(), minEvents, maxEvents, lastSeq);
            double virtualMin = c.get("elapsed_minutes").asDouble();
            double wall = (System.nanoTime() - campaignStart) / 1e9;
            out.printf(
                    Locale.ROOT,
                    "Campaign: %s, %d/%d experiments done; %.1f virtual min in %.1f s of wall time "
                            + "(pace %.0f means %.1f s: %.0f%% of its pace)%n",
                    c.get("status").asText(),
                    c.get("experiments").get("completed").asInt()
                            + c.get("experiments").get("failed").asInt(),
                    c.get("budget").asInt(),
                    virtualMin,
                    wall,
                    s.pace(),
                    virtualMin * 60 / s.pace(),
                    100 * (virtualMin * 60 / s.pace()) / wall);
            out.flush();
            int result = errors.get() == 0 && sseErrors.get() == 0 && sseConnected.get() == s.clients() && all ? 0 : 1;
            synchronized (bodies) {
                for (InputStream b : bodies) {
                    try {
                        b.close();
                    } catch (java.io.IOException e) {
                        // closing anyway
                    }
                }
            }
            streams.forEach(Thread::interrupt);
            return result;
        }
    }

    /** One open-loop run of read requests: {@code rps} per second for {@code seconds}, latency from due time. */
    private static final class Phase {
        final long[] latency;
        final AtomicLong errors = new AtomicLong();
        final AtomicInteger next = new AtomicInteger();
        final CountDownLatch finished;
        final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        final long t0 = System.nanoTime();

        Phase(HttpClient http, String base, String token, List<String> paths, int rps, int seconds) {
            int total = rps * seconds;
            latency = new long[total];
            Arrays.fill(latency, -1);
            finished = new CountDownLatch(total);
            long periodNanos = 1_000_000_000L / rps;
            ticker.scheduleAtFixedRate(
                    () -> {
                        long now = System.nanoTime();
                        // Fire every request that is due (catches up if the ticker was late).
                        while (true) {
                            int n = next.get();
                            if (n >= total || t0 + n * periodNanos > now) {
                                break;
                            }
                            next.incrementAndGet();
                            long due = t0 + n * periodNanos;
                            HttpRequest req = HttpRequest.newBuilder(URI.create(base + paths.get(n % paths.size())))
                                    .header("Authorization", "Bearer " + token)
                                    .timeout(Duration.ofSeconds(10))
                                    .build();
                            http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                                    .whenComplete((r, ex) -> {
                                        latency[n] = System.nanoTime() - due;
                                        if (ex != null || r.statusCode() != 200) {
                                            errors.incrementAndGet();
                                        }
                                        finished.countDown();
                                    });
                        }
                        if (next.get() >= total) {
                            ticker.shutdown();
                        }
                    },
                    0,
                    1,
                    TimeUnit.MILLISECONDS);
        }
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }
}

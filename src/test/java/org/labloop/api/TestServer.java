package org.labloop.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/** A real server on a free loopback port over a real store (SQLite, or PostgreSQL), with an operator and a viewer token. */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final ApiServer server;
    final String base;
    final String admin;
    final String viewer;
    final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    TestServer(Path dataDir, double pace) {
        this(new org.labloop.store.StoreLocation.Directory(dataDir), dataDir, pace);
    }

    /** A server over the store at {@code store}; files uploaded with campaigns go under {@code baseDir}. */
    TestServer(org.labloop.store.StoreLocation store, Path baseDir, double pace) {
        server = new ApiServer(new ApiServer.Options(
                "127.0.0.1", 0, store, pace, Path.of("examples").toAbsolutePath(), baseDir));
        int port = server.start();
        base = "http://127.0.0.1:" + port;
        admin = server.tokens().create("alice", Principal.OPERATOR).token();
        viewer = server.tokens().create("victor", Principal.VIEWER).token();
    }

    HttpResponse<String> get(String path, String token) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), token);
    }

    HttpResponse<String> post(String path, String body, String token) {
        return send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)),
                token);
    }

    HttpResponse<String> send(HttpRequest.Builder b, String token) {
        return send(b, token, Duration.ofSeconds(20));
    }

    HttpResponse<String> send(HttpRequest.Builder b, String token, Duration timeout) {
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(b.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + r.body(), e);
        }
    }

    JsonNode getJson(String path) {
        HttpResponse<String> r = get(path, admin);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " -> " + r.statusCode() + " " + r.body());
        }
        return json(r);
    }

    /** Creates the SnAr example campaign; returns its id. */
    String createExample(boolean start) {
        HttpResponse<String> r = post("/api/v1/campaigns", "{\"example\":\"snar\",\"start\":" + start + "}", admin);
        if (r.statusCode() != 201) {
            throw new AssertionError("create -> " + r.statusCode() + " " + r.body());
        }
        return json(r).get("id").asText();
    }

    /** Polls the campaign until {@code done} holds (or fails after {@code seconds}); returns its detail. */
    JsonNode await(String id, Predicate<JsonNode> done, int seconds) {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        JsonNode c = null;
        while (System.nanoTime() < deadline) {
            c = getJson("/api/v1/campaigns/" + id);
            if (done.test(c)) {
                return c;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("campaign " + id + " did not get there in " + seconds + " s: " + c);
    }

    JsonNode awaitStatus(String id, String status, int seconds) {
        return await(id, c -> status.equals(c.get("status").asText()), seconds);
    }

    @Override
    public void close() {
        server.close();
    }
}

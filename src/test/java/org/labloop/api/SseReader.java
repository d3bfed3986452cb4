package org.labloop.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Reads one campaign's SSE stream message by message. */
final class SseReader implements AutoCloseable {
    private final TestServer s;
    private final String id;
    private BufferedReader in;

    SseReader(TestServer s, String id) {
        this.s = s;
        this.id = id;
    }

    void open(long after) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(
                        URI.create(s.base + "/api/v1/campaigns/" + id + "/stream?after=" + after))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + s.admin)
                .timeout(Duration.ofSeconds(30))
                .build();
        HttpResponse<InputStream> r = s.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new AssertionError("stream -> " + r.statusCode());
        }
        in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
    }

    /** The next event (skipping keep-alive comments). */
    JsonNode next() throws Exception {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("data:")) {
                return TestServer.JSON.readTree(line.substring(5));
            }
        }
        throw new AssertionError("stream ended");
    }

    @Override
    public void close() throws java.io.IOException {
        in.close();
    }
}

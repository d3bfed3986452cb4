package org.labloop.api;

import io.javalin.http.sse.SseClient;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSE client of a campaign's event stream. Events are queued by the projector (which never blocks on a client)
 * and written by this stream's own virtual thread, so one slow client cannot hold up the others or the campaign. A
 * comment line goes out every few seconds so that closed connections are noticed; a client that falls more than
 * {@value #MAX_QUEUED} events behind is disconnected (it can reconnect with Last-Event-ID and catch up).
 */
final class SseStream {
    private static final Logger LOG = LoggerFactory.getLogger(SseStream.class);
    static final int MAX_QUEUED = 50_000;
    private static final long HEARTBEAT_SECONDS = 10;
    private static final CampaignView.Published STOP = new CampaignView.Published(null, null);
    static final AtomicInteger OPEN = new AtomicInteger();

    /** How often the stream asks whether its token is still valid (a revoked one ends it). */
    private static final long CHECK_SECONDS = 1;

    private final SseClient client;
    private final java.util.function.BooleanSupplier allowed;
    private final BlockingQueue<CampaignView.Published> queue = new LinkedBlockingQueue<>();

    /** {@code allowed}: whether the client may still read (its token not revoked), asked every second. */
    SseStream(SseClient client, java.util.function.BooleanSupplier allowed) {
        this.client = client;
        this.allowed = allowed;
    }

    /** Queues an event; never blocks. */
    void offer(CampaignView.Published p) {
        if (queue.size() >= MAX_QUEUED) {
            queue.clear();
            queue.add(STOP);
            return;
        }
        queue.add(p);
    }

    void stop() {
        queue.add(STOP);
    }

    /** Writes queued events until the client goes away or the stream is stopped; runs on the caller's thread. */
    void pump() {
        OPEN.incrementAndGet();
        try {
            long quietSeconds = 0;
            while (!client.terminated()) {
                if (!allowed.getAsBoolean()) {
                    client.sendComment("the token was revoked");
                    break;
                }
                CampaignView.Published p = queue.poll(CHECK_SECONDS, TimeUnit.SECONDS);
                if (p == STOP) {
                    break;
                }
                if (p == null) {
                    if (++quietSeconds >= HEARTBEAT_SECONDS / CHECK_SECONDS) {
                        quietSeconds = 0;
                        client.sendComment("keep-alive");
                    }
                } else {
                    quietSeconds = 0;
                    client.sendData(p.json(), Long.toString(p.event().seq()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debug("SSE client went away: {}", e.toString());
        } finally {
            OPEN.decrementAndGet();
            client.close();
        }
    }
}

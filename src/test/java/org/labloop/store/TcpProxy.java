package org.labloop.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on the loopback in front of a server, which a test can cut (every connection through it ends, and new
 * ones are refused, as while a database server restarts or a network is down) and restore on the same port. It touches
 * no other user of the server.
 */
public final class TcpProxy implements AutoCloseable {
    private final String host;
    private final int target;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private ServerSocket listener;

    private TcpProxy(String host, int target) throws IOException {
        this.host = host;
        this.target = target;
        this.listener = listen(0);
        this.port = listener.getLocalPort();
        serve(listener);
    }

    /** A proxy to {@code host:target} on a free loopback port. */
    public static TcpProxy to(String host, int target) throws IOException {
        return new TcpProxy(host, target);
    }

    public int port() {
        return port;
    }

    /** Ends every connection through the proxy and refuses new ones until {@link #restore}. */
    public synchronized void cut() throws IOException {
        listener.close();
        for (Socket s : open) {
            s.close();
        }
        open.clear();
    }

    /**
     * Holds every byte in either direction, without closing anything, until {@link #flow}: a network that drops packets
     * silently. New connections are accepted and then hear nothing.
     */
    public void stall() {
        stalled = true;
    }

    /** Lets held and new bytes through again. */
    public void flow() {
        stalled = false;
    }

    private volatile boolean stalled;

    /** Takes connections again, on the same port. */
    public synchronized void restore() throws IOException {
        if (!listener.isClosed()) {
            return; // takes connections already
        }
        listener = listen(port);
        serve(listener);
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    private void serve(ServerSocket on) {
        Thread.ofVirtual().start(() -> {
            while (!on.isClosed()) {
                Socket client;
                try {
                    client = on.accept();
                } catch (IOException closed) {
                    return; // cut
                }
                open.add(client);
                try {
                    Socket server = new Socket(host, target);
                    open.add(server);
                    pump(client, server);
                    pump(server, client);
                } catch (IOException unreachable) {
                    open.remove(client);
                    try {
                        client.close();
                    } catch (IOException ignored) {
                        // already gone
                    }
                }
            }
        });
    }

    /** Copies from {@code a} to {@code b} until either ends, then closes both. */
    private void pump(Socket a, Socket b) {
        Thread.ofVirtual().start(() -> {
            try (InputStream in = a.getInputStream();
                    OutputStream out = b.getOutputStream()) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    while (stalled && !b.isClosed()) {
                        Thread.sleep(20);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            } catch (IOException ended) {
                // one side went away: end the other too
            } finally {
                try {
                    a.close();
                    b.close();
                } catch (IOException ignored) {
                    // already closed
                }
                open.remove(a);
                open.remove(b);
            }
        });
    }

    @Override
    public synchronized void close() throws IOException {
        cut();
    }
}

package dev.kiln.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of a registry that can cut connections mid-stream: the
 * next {@code cuts} connections are closed after {@code afterBytes} bytes in the chosen direction.
 */
public final class FaultProxy implements AutoCloseable {
    public enum Direction { RESPONSE, REQUEST }

    private final ServerSocket server;
    private final int upstreamPort;
    private final AtomicInteger cutsLeft = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile long afterBytes = Long.MAX_VALUE;
    private volatile Direction direction = Direction.RESPONSE;

    public FaultProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    public String host() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Cut the next {@code cuts} connections after {@code bytes} bytes flowing in {@code dir}. */
    public void cut(int cuts, long bytes, Direction dir) {
        direction = dir;
        afterBytes = bytes;
        cutsLeft.set(cuts);
    }

    public int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                connections.incrementAndGet();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                boolean cut = cutsLeft.getAndDecrement() > 0;
                long limit = cut ? afterBytes : Long.MAX_VALUE;
                Direction d = direction;
                Thread.ofVirtual().start(() -> pump(client, upstream, d == Direction.REQUEST ? limit : Long.MAX_VALUE));
                Thread.ofVirtual().start(() -> pump(upstream, client, d == Direction.RESPONSE ? limit : Long.MAX_VALUE));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void pump(Socket from, Socket to, long limit) {
        byte[] buf = new byte[8192];
        long sent = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                int allowed = (int) Math.min(n, limit - sent);
                out.write(buf, 0, allowed);
                out.flush();
                sent += allowed;
                if (sent >= limit) break;
            }
        } catch (IOException e) {
            // the other side went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

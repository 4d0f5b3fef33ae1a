package dev.kiln.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy on 127.0.0.1 in front of the real registry that hands each response of a chosen
 * kind (a manifest, a blob) to a {@link Rewrite} before passing it on: a hostile registry made
 * from an honest one. Requests go through unchanged.
 */
final class MutatingProxy implements AutoCloseable {
    /** What the client gets: status, headers (lower-case names), body. */
    record Response(int status, Map<String, List<String>> headers, byte[] body) {
        Response with(int newStatus) {
            return new Response(newStatus, headers, body);
        }

        Response withBody(byte[] newBody) {
            return new Response(status, headers, newBody);
        }

        Response withHeader(String name, String value) {
            Map<String, List<String>> h = new java.util.TreeMap<>(headers);
            if (value == null) h.remove(name);
            else h.put(name, List.of(value));
            return new Response(status, h, body);
        }
    }

    @FunctionalInterface
    interface Rewrite {
        /** {@code path} is the request path ("/v2/app/manifests/1"). */
        Response apply(String method, String path, Response upstream);
    }

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "transfer-encoding", "keep-alive", "host",
            "upgrade", "http2-settings", "te", "trailer");

    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    private final String upstream;
    private final AtomicInteger rewritten = new AtomicInteger();
    private volatile Rewrite rewrite = (m, p, r) -> r;

    MutatingProxy(String upstreamHost) throws IOException {
        this.upstream = "http://" + upstreamHost;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    void rewrite(Rewrite r) {
        rewrite = r;
        rewritten.set(0);
    }

    /** Responses the current rewrite changed. */
    int rewritten() {
        return rewritten.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI()))
                    .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(30));
            ex.getRequestHeaders().forEach((k, vs) -> {
                if (!HOP_BY_HOP.contains(k.toLowerCase()) && !k.equalsIgnoreCase("expect")) vs.forEach(v -> b.header(k, v));
            });
            HttpResponse<byte[]> up = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            Map<String, List<String>> headers = new java.util.TreeMap<>();
            up.headers().map().forEach((k, v) -> {
                boolean headLength = ex.getRequestMethod().equals("HEAD") && k.equalsIgnoreCase("content-length");
                if (!HOP_BY_HOP.contains(k.toLowerCase()) || headLength) headers.put(k.toLowerCase(), v);
            });
            Response original = new Response(up.statusCode(), headers, up.body());
            Response out = rewrite.apply(ex.getRequestMethod(), ex.getRequestURI().getPath(), original);
            if (out != original) rewritten.incrementAndGet();
            send(ex, out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange ex, Response r) throws IOException {
        r.headers().forEach((k, vs) -> vs.forEach(v -> ex.getResponseHeaders().add(k, v)));
        boolean head = ex.getRequestMethod().equals("HEAD");
        long length = head || r.status() == 204 || r.status() == 304 ? -1 : r.body().length == 0 ? -1 : r.body().length;
        ex.sendResponseHeaders(r.status(), length);
        if (length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }
}

package dev.kiln.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry in memory on 127.0.0.1 for {@link AotTraining} only: just enough of the
 * distribution API (blob HEAD/GET, monolithic or chunked uploads, manifest PUT/GET) for a push
 * and a pull of the training image, so the AOT cache holds the HTTP client's and the registry
 * code's classes too. It checks nothing: a training run is not a test. Never used by a verb.
 */
final class TrainingRegistry implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    private final Map<String, String> manifestTypes = new ConcurrentHashMap<>();
    private final Map<String, java.io.ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();

    TrainingRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            URI uri = x.getRequestURI();
            String path = uri.getPath();
            String method = x.getRequestMethod();
            byte[] body;
            try (InputStream in = x.getRequestBody()) {
                body = in.readAllBytes();
            }
            x.getResponseHeaders().set("Docker-Distribution-API-Version", "registry/2.0");
            if (path.equals("/v2/") || path.equals("/v2")) {
                send(x, 200, "{}".getBytes(), "application/json");
                return;
            }
            int uploadsAt = path.indexOf("/blobs/uploads/");
            if (uploadsAt > 0) {
                String repo = path.substring(0, uploadsAt);
                String id = path.substring(uploadsAt + "/blobs/uploads/".length());
                if (method.equals("POST")) {
                    id = Integer.toString(next.incrementAndGet());
                    uploads.put(id, new java.io.ByteArrayOutputStream());
                }
                var data = uploads.computeIfAbsent(id, k -> new java.io.ByteArrayOutputStream());
                data.write(body);
                String digest = query(uri, "digest");
                if (method.equals("PUT") && digest != null) {
                    blobs.put(digest, data.toByteArray());
                    uploads.remove(id);
                    x.getResponseHeaders().set("Location", repo + "/blobs/" + digest);
                    x.getResponseHeaders().set("Docker-Content-Digest", digest);
                    send(x, 201, new byte[0], null);
                    return;
                }
                x.getResponseHeaders().set("Location", repo + "/blobs/uploads/" + id);
                x.getResponseHeaders().set("Range", "0-" + Math.max(0, data.size() - 1));
                x.getResponseHeaders().set("Docker-Upload-UUID", id);
                send(x, 202, new byte[0], null);
                return;
            }
            int blobAt = path.indexOf("/blobs/");
            if (blobAt > 0) {
                byte[] blob = blobs.get(path.substring(blobAt + "/blobs/".length()));
                if (blob == null) {
                    notFound(x, method);
                    return;
                }
                x.getResponseHeaders().set("Docker-Content-Digest", path.substring(blobAt + "/blobs/".length()));
                send(x, 200, method.equals("HEAD") ? null : blob, "application/octet-stream", blob.length);
                return;
            }
            int manifestAt = path.indexOf("/manifests/");
            if (manifestAt > 0) {
                String key = path.substring(0, manifestAt) + "@" + path.substring(manifestAt + "/manifests/".length());
                if (method.equals("PUT")) {
                    String type = x.getRequestHeaders().getFirst("Content-Type");
                    manifests.put(key, body);
                    manifestTypes.put(key, type == null ? "application/vnd.oci.image.manifest.v1+json" : type);
                    send(x, 201, new byte[0], null);
                    return;
                }
                byte[] m = manifests.get(key);
                if (m == null) {
                    notFound(x, method);
                    return;
                }
                send(x, 200, method.equals("HEAD") ? null : m, manifestTypes.get(key), m.length);
                return;
            }
            notFound(x, method);
        }
    }

    private static void notFound(HttpExchange x, String method) throws IOException {
        byte[] err = "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"not here\"}]}".getBytes();
        send(x, 404, method.equals("HEAD") ? null : err, "application/json", err.length);
    }

    private static void send(HttpExchange x, int status, byte[] body, String type) throws IOException {
        send(x, status, body, type, body == null ? 0 : body.length);
    }

    private static void send(HttpExchange x, int status, byte[] body, String type, long length) throws IOException {
        if (type != null) x.getResponseHeaders().set("Content-Type", type);
        if (body == null) {
            x.getResponseHeaders().set("Content-Length", Long.toString(length));
            x.sendResponseHeaders(status, -1);
            return;
        }
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String query(URI uri, String name) {
        String q = uri.getRawQuery();
        if (q == null) return null;
        for (String part : q.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).equals(name)) {
                return java.net.URLDecoder.decode(part.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

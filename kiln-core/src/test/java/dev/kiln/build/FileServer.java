package dev.kiln.build;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The files of one directory over HTTP on 127.0.0.1 (an ephemeral port), for the corpus cases
 * that ADD URLs: GET of a path below the directory answers its bytes, anything else 404. Stopped
 * by {@link #close()}.
 */
final class FileServer implements AutoCloseable {
    private final HttpServer server;

    private FileServer(HttpServer server) {
        this.server = server;
    }

    static FileServer start(Path dir) throws IOException {
        Path root = dir.toRealPath();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
                if (!exchange.getRequestMethod().equals("GET") || !file.startsWith(root)
                        || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.sendResponseHeaders(200, Files.size(file));
                try (OutputStream out = exchange.getResponseBody()) {
                    Files.copy(file, out);
                }
            }
        });
        server.start();
        return new FileServer(server);
    }

    /** {@code http://127.0.0.1:PORT}, no trailing slash. */
    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

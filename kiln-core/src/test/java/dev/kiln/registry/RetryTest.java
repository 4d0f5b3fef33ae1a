package dev.kiln.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.MediaType;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Status codes the real registry will not produce on demand (5xx, 429, schema 1), scripted by a
 * tiny HTTP server.
 */
class RetryTest {
    record Reply(int status, String retryAfter, String contentType, String body) {}

    HttpServer server;
    final Deque<Reply> script = new ArrayDeque<>();
    final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        server.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                seen.add(ex.getRequestMethod() + " " + System.nanoTime() / 1_000_000);
                Reply r;
                synchronized (script) {
                    r = script.isEmpty() ? new Reply(200, null, "application/json", "{}") : script.poll();
                }
                if (r.retryAfter() != null) ex.getResponseHeaders().add("Retry-After", r.retryAfter());
                if (r.contentType() != null) ex.getResponseHeaders().add("Content-Type", r.contentType());
                byte[] b = r.body().getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(r.status(), b.length == 0 ? -1 : b.length);
                if (b.length > 0) ex.getResponseBody().write(b);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    RegistryClient client(int maxTries) {
        return RegistryClient.create("127.0.0.1:" + server.getAddress().getPort(), RegistryOptions.defaults(),
                Tuning.DEFAULT.withRetries(maxTries, Duration.ofMillis(10), Duration.ofSeconds(10)));
    }

    @Test
    void retries5xxAndHonoursRetryAfter() {
        script.add(new Reply(503, null, null, ""));
        script.add(new Reply(429, "1", null, ""));
        script.add(new Reply(200, null, "application/json", "{}"));
        long start = System.nanoTime();
        client(5).checkAuth();
        assertThat(seen).hasSize(3);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void givesUpAfterTheBoundWithTheRegistrysMessage() {
        for (int i = 0; i < 5; i++) {
            script.add(new Reply(500, null, "application/json", "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"disk on fire\"}]}"));
        }
        assertThatThrownBy(() -> client(3).getManifest("app", "v1", null)).isInstanceOf(KilnException.class)
                .hasMessageContaining("pulling manifest 127.0.0.1:" + server.getAddress().getPort() + "/app:v1: 500 internal server error (UNKNOWN: disk on fire)");
        assertThat(seen).hasSize(3);
    }

    @Test
    void refusesSchema1() {
        script.add(new Reply(200, null, MediaType.DOCKER_SCHEMA1_SIGNED, "{\"schemaVersion\":1}"));
        assertThatThrownBy(() -> client(1).getManifest("app", "old", null)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("schema 1");
        script.add(new Reply(200, null, "application/json", "{\"schemaVersion\":1,\"name\":\"app\"}"));
        assertThatThrownBy(() -> client(1).getManifest("app", "old", null)).hasMessageContaining("schema 1");
    }

    @Test
    void manifestWithWrongDigestIsRejected() {
        script.add(new Reply(200, null, MediaType.OCI_MANIFEST, "{\"schemaVersion\":2}"));
        String wanted = "sha256:" + "0".repeat(64);
        assertThatThrownBy(() -> client(1).getManifest("app", wanted, null)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not the expected " + wanted);
    }
}

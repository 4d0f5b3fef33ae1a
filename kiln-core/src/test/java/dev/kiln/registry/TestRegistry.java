package dev.kiln.registry;

import dev.kiln.testing.Tools;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The real CNCF distribution registry ({@code docker-registry serve}) on 127.0.0.1 and a free
 * port, storing under a directory the test owns, with the TLS and auth settings a test asks for.
 * Stopped by {@link #close()}.
 */
public final class TestRegistry implements AutoCloseable {
    /** bcrypt of {@link #PASSWORD} (cost 5), so no htpasswd tool is needed. */
    public static final String USER = "kiln";
    public static final String PASSWORD = "s3cret-pass";
    private static final String PASSWORD_BCRYPT = "$2b$05$FSxS6.NmQU2soo9/0mKg1..q31oVOrzU.vKjxd/kKF1mT0Ts3xj7O";

    private final Path dir;
    private final int port;
    private final Process process;
    private final Path log;

    private TestRegistry(Path dir, int port, Process process, Path log) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Configuration beyond storage and address: TLS, htpasswd, token auth (at most one auth). */
    public record Config(Path tlsCert, Path tlsKey, boolean htpasswd, TokenAuth token) {
        public static Config plain() {
            return new Config(null, null, false, null);
        }

        public Config withTls(Path cert, Path key) {
            return new Config(cert, key, htpasswd, token);
        }

        public Config withHtpasswd() {
            return new Config(tlsCert, tlsKey, true, token);
        }

        public Config withToken(TokenAuth t) {
            return new Config(tlsCert, tlsKey, htpasswd, t);
        }
    }

    public record TokenAuth(String realm, String service, String issuer, Path rootCertBundle) {}

    public static TestRegistry start(Path dir, Config config) throws IOException, InterruptedException {
        Tools.require("docker-registry");
        int port = freePort();
        Files.createDirectories(dir.resolve("storage"));
        StringBuilder yml = new StringBuilder("""
                version: 0.1
                log:
                  level: info
                  accesslog:
                    disabled: false
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("storage"), port));
        if (config.tlsCert() != null) {
            yml.append("  tls:\n    certificate: ").append(config.tlsCert()).append("\n    key: ").append(config.tlsKey()).append('\n');
        }
        if (config.htpasswd()) {
            Path htpasswd = dir.resolve("htpasswd");
            Files.writeString(htpasswd, USER + ":" + PASSWORD_BCRYPT + "\n");
            yml.append("auth:\n  htpasswd:\n    realm: kiln-test\n    path: ").append(htpasswd).append('\n');
        }
        if (config.token() != null) {
            TokenAuth t = config.token();
            yml.append("auth:\n  token:\n    realm: ").append(t.realm()).append("\n    service: ").append(t.service())
                    .append("\n    issuer: ").append(t.issuer()).append("\n    rootcertbundle: ").append(t.rootCertBundle()).append('\n');
        }
        Path yaml = dir.resolve("config.yml");
        Files.writeString(yaml, yml);
        Path log = dir.resolve("registry.log");
        Process p = new ProcessBuilder("docker-registry", "serve", yaml.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        TestRegistry r = new TestRegistry(dir, port, p, log);
        r.awaitListening();
        return r;
    }

    /** host:port as a registry name. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    private void awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("docker-registry exited " + process.exitValue() + ":\n" + log());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        close();
        throw new IllegalStateException("docker-registry did not listen on " + port + " within 20 s:\n" + log());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A self-signed certificate for 127.0.0.1 (cert.pem, key.pem in {@code dir}), made with openssl. */
    public static Path[] selfSignedCert(Path dir, String cn) throws IOException, InterruptedException {
        Tools.require("openssl");
        Files.createDirectories(dir);
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Tools.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + cn,
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString());
        return new Path[] {cert, key};
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }

    @Override
    public String toString() {
        return "TestRegistry[" + host() + " in " + dir + "]";
    }
}

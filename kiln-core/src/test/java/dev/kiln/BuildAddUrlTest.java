package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import dev.kiln.testing.TreeListing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADD of http URLs and {@code --checksum}, against an HTTP server this test runs on 127.0.0.1
 * (nothing leaves the machine): the file keeps the URL's last path segment, mode 0600 and the
 * server's Last-Modified time, as buildah adds it; an HTTP error or a checksum mismatch is one
 * line naming the URL and leaves nothing behind.
 */
@Tag("privileged")
class BuildAddUrlTest {
    private static final String LAST_MODIFIED = "Tue, 03 Jan 2023 04:05:06 GMT";

    @TempDir
    Path tmp;

    Kiln kiln;
    Path ctx;
    HttpServer server;
    String base;
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        Tools.requireRoot();
        Tools.require("runc");
        kiln = Kiln.open(tmp.resolve("store"));
        WorkingContainer ctr = kiln.from("scratch", null);
        ctr.add(List.of(Fixtures.busyboxRootfsTar().toString()), "/", CopyOptions.add());
        ctr.commit("localhost/busybox", new CommitOptions(false, "oci", null, null, true, null));
        ctx = Files.createDirectories(tmp.resolve("ctx"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = files.get(exchange.getRequestURI().getPath());
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.getResponseHeaders().add("Last-Modified", LAST_MODIFIED);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void tearDown() {
        if (server != null) server.stop(0);
        if (kiln != null) kiln.close();
    }

    private void build(String dockerfile) throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile.replace("BASE", base));
        kiln.build(BuildRequest.of(ctx).withTags("out").withProgress(new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)));
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** path → TreeListing line of the built image, and the mtime of one file. */
    private Map<String, String> tree(String mtimeOf, Instant[] mtime) throws Exception {
        WorkingContainer c = kiln.from("out", null);
        try {
            Path root = c.mount();
            if (mtimeOf != null) mtime[0] = Files.getLastModifiedTime(root.resolve(mtimeOf.substring(1)), LinkOption.NOFOLLOW_LINKS).toInstant();
            return TreeListing.of(root, Set.of());
        } finally {
            c.unmount();
            kiln.removeContainer(c.id());
        }
    }

    @Test
    void aUrlIsDownloadedAsBuildahAddsIt() throws Exception {
        byte[] content = "remote content\n".getBytes(StandardCharsets.UTF_8);
        files.put("/dir/file.txt", content);
        files.put("/dir/arch.tar", Files.readAllBytes(Fixtures.busyboxRootfsTar()));
        files.put("/dir/with space.txt", content);
        build("""
                FROM localhost/busybox
                ADD BASE/dir/file.txt /dst/
                ADD BASE/dir/file.txt /named
                ADD BASE/dir/file.txt?version=2 BASE/dir/with%20space.txt /multi/
                ADD BASE/dir/arch.tar /arch/
                ADD --chown=33:33 --chmod=0644 --checksum=sha256:SUM BASE/dir/file.txt /owned
                """.replace("SUM", sha256(content)));
        Instant[] mtime = new Instant[1];
        Map<String, String> t = tree("/dst/file.txt", mtime);
        String line = "file 600 0:0 15 " + sha256(content);
        assertThat(t).containsEntry("/dst/file.txt", line).containsEntry("/named", line).containsEntry("/multi/file.txt", line)
                .containsEntry("/multi/with space.txt", line).containsEntry("/owned", "file 644 33:33 15 " + sha256(content));
        // Not extracted: ADD extracts local archives only.
        assertThat(t.get("/arch/arch.tar")).startsWith("file 600 0:0 ");
        assertThat(t).doesNotContainKey("/arch/bin");
        assertThat(mtime[0]).isEqualTo(Instant.parse("2023-01-03T04:05:06Z"));
        try (Stream<Path> s = Files.list(kiln.root().resolve("tmp"))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("add-url-"));
        }
    }

    @Test
    void anHttpErrorOrAChecksumMismatchIsOneLineAndLeavesNothing() throws Exception {
        files.put("/f", "x".getBytes(StandardCharsets.UTF_8));
        String zeros = "0".repeat(64);
        assertThatThrownBy(() -> build("FROM localhost/busybox\nADD BASE/missing.txt /m\n")).isInstanceOf(BuildException.class)
                .hasMessage("Dockerfile:2: ADD " + base + "/missing.txt /m: downloading " + base + "/missing.txt: HTTP 404");
        assertThatThrownBy(() -> build("FROM localhost/busybox\nADD --checksum=sha256:" + zeros + " BASE/f /f\n"))
                .isInstanceOf(BuildException.class)
                .hasMessage("Dockerfile:2: ADD --checksum=sha256:" + zeros + " " + base + "/f /f: downloading " + base
                        + "/f: checksum mismatch: expected sha256:" + zeros + ", got sha256:" + sha256("x".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> build("FROM localhost/busybox\nADD --checksum=md5:abc BASE/f /f\n"))
                .isInstanceOf(BuildException.class).hasMessageEndingWith("--checksum=md5:abc: expected sha256:HEX (or sha384:, sha512:)");
        assertThatThrownBy(() -> build("FROM localhost/busybox\nADD --checksum=sha256:" + zeros + " f /f\n"))
                .isInstanceOf(BuildException.class).hasMessageEndingWith("--checksum needs exactly one source, an http(s) URL");
        assertThatThrownBy(() -> build("FROM localhost/busybox\nCOPY BASE/f /f\n"))
                .isInstanceOf(BuildException.class).hasMessageContaining("COPY takes no URLs");
        assertThatThrownBy(() -> build("FROM localhost/busybox\nADD BASE/ /d/\n"))
                .isInstanceOf(BuildException.class).hasMessageEndingWith("cannot tell a file name from " + base + "/; give the destination as a file path");
        assertThatThrownBy(() -> build("FROM localhost/busybox\nADD ftp://127.0.0.1/f /f\n"))
                .isInstanceOf(BuildException.class).hasMessageEndingWith("ADD downloads http and https URLs only, not ftp: ftp://127.0.0.1/f");
        assertThat(kiln.images()).hasSize(1);
        assertThat(kiln.containers()).isEmpty();
        try (Stream<Path> s = Files.list(kiln.root().resolve("tmp"))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("add-url-"));
        }
    }

    @Test
    void aServerThatIsNotThereIsNamed() throws IOException {
        server.stop(0);
        server = null;
        assertThatThrownBy(() -> build("FROM localhost/busybox\nADD BASE/f /f\n")).isInstanceOf(BuildException.class)
                .hasMessageContaining("downloading " + base + "/f: cannot connect");
    }
}

package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, fourth "Done when": a debootstrap'd Debian minbase as a base image; apt-get installs
 * hello in a container, the commit keeps it, and hello runs in a container of the committed
 * image. The rootfs tarball is cached outside the repository, made once under a lock. Skipped,
 * with the reason printed, only when the Debian mirror cannot be reached.
 */
@Tag("privileged")
@Tag("slow")
class RunDebianTest {
    static final Path CACHE = Path.of("/var/cache/kiln-test");
    static final Path TARBALL = CACHE.resolve("debootstrap-bookworm.tar");

    @TempDir Path tmp;

    @Test
    void aptGetInstallsHelloAndItRunsFromTheCommittedImage() throws Exception {
        Tools.requireRoot();
        Tools.require("runc");
        String mirror = mirror();
        Assumptions.assumeTrue(reachable(mirror), () -> "skipped: Debian mirror " + mirror + " cannot be reached");
        Path rootfs = debootstrapTarball(mirror);
        try (Kiln kiln = Kiln.open(new KilnOptions(tmp.resolve("store"), "overlay"))) {
            WorkingContainer base = kiln.from("scratch", null);
            base.add(List.of(rootfs.toString()), "/", CopyOptions.add());
            base.commit("debian", CommitOptions.defaults());

            WorkingContainer ctr = kiln.from("debian", null);
            var err = new ByteArrayOutputStream();
            String install = "apt-get update && apt-get install -y --no-install-recommends hello";
            int code = ctr.run(RunOptions.defaults("sh", "-c", install), null, new ByteArrayOutputStream(), err);
            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
            ctr.commit("debian-hello", CommitOptions.defaults());

            WorkingContainer hello = kiln.from("debian-hello", null);
            var out = new ByteArrayOutputStream();
            assertThat(hello.run(RunOptions.defaults("hello"), null, out, err)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("Hello, world!\n");
        }
    }

    /** The first deb.debian.org-style URI in the machine's apt sources (deb822 or one-line form). */
    static String mirror() throws Exception {
        Pattern uri = Pattern.compile("^(?:URIs:\\s*|deb\\s+(?:\\[[^]]*]\\s+)?)(https?://\\S+)", Pattern.MULTILINE);
        List<Path> sources = new java.util.ArrayList<>(List.of(Path.of("/etc/apt/sources.list")));
        Path dir = Path.of("/etc/apt/sources.list.d");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                sources.addAll(s.sorted().toList());
            }
        }
        for (Path p : sources) {
            if (!Files.isRegularFile(p)) continue;
            Matcher m = uri.matcher(Files.readString(p));
            while (m.find()) {
                String u = m.group(1).split("\\s")[0];
                if (!u.contains("security")) return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
            }
        }
        return "http://deb.debian.org/debian";
    }

    static boolean reachable(String mirror) {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpRequest head = HttpRequest.newBuilder(URI.create(mirror + "/dists/bookworm/Release"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build();
            return http.send(head, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** The cached tarball, made once (under a lock, so parallel runs debootstrap only once). */
    static Path debootstrapTarball(String mirror) throws Exception {
        Tools.require("debootstrap");
        Files.createDirectories(CACHE);
        try (FileChannel ch = FileChannel.open(CACHE.resolve("debootstrap-bookworm.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            if (Files.exists(TARBALL)) return TARBALL;
            Path work = CACHE.resolve("debootstrap-bookworm.partial");
            Tools.exec(null, List.of("rm", "-rf", work.toString()));
            Tools.run("debootstrap", "--variant=minbase", "bookworm", work.toString(), mirror);
            Path partial = CACHE.resolve("debootstrap-bookworm.tar.partial");
            Tools.run("tar", "--numeric-owner", "--xattrs", "--xattrs-include=*", "-C", work.toString(), "-cf", partial.toString(), ".");
            Files.move(partial, TARBALL, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Tools.run("rm", "-rf", work.toString());
            return TARBALL;
        }
    }
}

package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kiln login/logout and push/pull/from with the registry flags, against the real registry with htpasswd on 127.0.0.1. */
@Tag("tools")
class RegistryVerbsTest {
    static final String USER = "kiln";
    static final String PASSWORD = "s3cret-pass";
    /** bcrypt of PASSWORD (cost 5), the same as kiln-core's TestRegistry. */
    static final String PASSWORD_BCRYPT = "$2b$05$FSxS6.NmQU2soo9/0mKg1..q31oVOrzU.vKjxd/kKF1mT0Ts3xj7O";

    @TempDir
    static Path dir;
    static Process registry;
    static String host;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/docker-registry")), "docker-registry is not installed");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        host = "127.0.0.1:" + port;
        Files.writeString(dir.resolve("htpasswd"), USER + ":" + PASSWORD_BCRYPT + "\n");
        Path yml = Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: %s
                auth:
                  htpasswd:
                    realm: kiln-test
                    path: %s
                """.formatted(dir.resolve("storage"), host, dir.resolve("htpasswd")));
        registry = new ProcessBuilder("docker-registry", "serve", yml.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("docker-registry did not start");
                Thread.sleep(50);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.destroy();
            registry.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static CliRun withStdin(String stdin, String... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return CliRun.of(args);
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void loginWithPasswordStdinStoresTheCredentialsAndLogoutRemovesThem() throws Exception {
        Path authFile = dir.resolve("auth.json");
        CliRun r = withStdin(PASSWORD + "\n", "login", "-u", USER, "--password-stdin", "--authfile", authFile.toString(), host);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("Login Succeeded");
        assertThat(Files.readString(authFile)).contains(host).doesNotContain(PASSWORD);
        assertThat((r.out() + r.err())).doesNotContain(PASSWORD);

        CliRun out = CliRun.of("logout", "--authfile", authFile.toString(), host);
        assertThat(out.exitCode()).isZero();
        assertThat(Files.readString(authFile)).doesNotContain(host);
        assertThat(CliRun.of("logout", "--authfile", authFile.toString(), host).exitCode()).isEqualTo(1);
    }

    @Test
    void aWrongPasswordExitsOneWithOneLineThatDoesNotShowIt() throws Exception {
        Path authFile = dir.resolve("wrong.json");
        String wrong = "wrong-pass-7713";
        CliRun r = withStdin(wrong + "\n", "login", "-u", USER, "--password-stdin", "--authfile", authFile.toString(), host);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains(host);
        assertThat(r.out() + r.err()).doesNotContain(wrong);
        assertThat(authFile).doesNotExist();
    }

    @Test
    void pushPullAndFromThroughTheRegistryWithTheRegistryFlags(@TempDir Path work) throws Exception {
        Path authFile = work.resolve("auth.json");
        assertThat(withStdin(PASSWORD, "login", "-u", USER, "--password-stdin", "--authfile", authFile.toString(), host).exitCode())
                .isZero();
        Path one = work.resolve("store-1");
        Files.writeString(work.resolve("hello.txt"), "hello\n");
        String ctr = ok(one, "from", "scratch").strip();
        ok(one, "copy", "--contextdir", work.toString(), ctr, "hello.txt", "/");
        ok(one, "commit", ctr, host + "/cli/app:1");
        Path digestFile = work.resolve("digest");
        ok(one, "push", "--authfile", authFile.toString(), "--digestfile", digestFile.toString(), host + "/cli/app:1");
        String digest = Files.readString(digestFile).strip();
        assertThat(digest).matches("sha256:[0-9a-f]{64}");

        Path two = work.resolve("store-2");
        String id = ok(two, "pull", "--creds", USER + ":" + PASSWORD, "--tls-verify=false", "docker://" + host + "/cli/app:1").strip();
        assertThat(id).matches("[0-9a-f]{64}");
        assertThat(ok(two, "images")).contains(host + "/cli/app");

        Path three = work.resolve("store-3");
        assertThat(ok(three, "from", "--authfile", authFile.toString(), host + "/cli/app:1").strip())
                .isEqualTo("app-working-container");

        CliRun anonymous = CliRun.of("--root", work.resolve("store-4").toString(), "--storage-driver", "vfs",
                "pull", host + "/cli/app:1");
        assertThat(anonymous.exitCode()).isEqualTo(1);
        assertThat(anonymous.errLines()).hasSize(1);
        assertThat(anonymous.err()).contains("401", "kiln login " + host);
    }

    private static String ok(Path root, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--root";
        all[1] = root.toString();
        all[2] = "--storage-driver";
        all[3] = "vfs";
        System.arraycopy(args, 0, all, 4, args.length);
        CliRun run = CliRun.of(all);
        assertThat(run.exitCode()).as("%s: %s", String.join(" ", args), run.err()).isZero();
        return run.out();
    }

    @Test
    void loginWithoutAUserIsAUsageError() {
        assertThat(CliRun.of("login", host).exitCode()).isEqualTo(125);
    }
}

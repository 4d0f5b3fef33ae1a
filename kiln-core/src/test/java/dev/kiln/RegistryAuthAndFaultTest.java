package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.Digest;
import dev.kiln.oci.KilnException;
import dev.kiln.registry.FaultProxy;
import dev.kiln.registry.TestRegistry;
import dev.kiln.registry.TokenServer;
import dev.kiln.registry.Tuning;
import dev.kiln.testing.Tools;
import dev.kiln.testing.TreeListing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** push/pull/login through HTTPS with --cert-dir, htpasswd Basic auth, the Bearer token flow, and a cutting proxy. */
@Tag("privileged")
@Tag("tools")
class RegistryAuthAndFaultTest {
    @TempDir
    static Path dir;
    static Kiln kiln;
    static TestRegistry secure;
    static Path certDir;
    static TokenServer tokens;
    static TestRegistry tokenRegistry;
    static TestRegistry plain;

    @BeforeAll
    static void start() throws Exception {
        Tools.requireRoot();
        Path[] certKey = TestRegistry.selfSignedCert(dir.resolve("tls"), "127.0.0.1");
        certDir = Files.createDirectories(dir.resolve("certs.d"));
        Files.copy(certKey[0], certDir.resolve("ca.crt"));
        secure = TestRegistry.start(dir.resolve("secure"), TestRegistry.Config.plain().withTls(certKey[0], certKey[1]).withHtpasswd());
        Path[] signer = TestRegistry.selfSignedCert(dir.resolve("signing"), "kiln-token-signer");
        tokens = new TokenServer(signer[0], signer[1], 300);
        tokenRegistry = TestRegistry.start(dir.resolve("token"), TestRegistry.Config.plain().withToken(
                new TestRegistry.TokenAuth(tokens.realm(), TokenServer.SERVICE, TokenServer.ISSUER, signer[0])));
        plain = TestRegistry.start(dir.resolve("plain"), TestRegistry.Config.plain());
        kiln = Kiln.open(dir.resolve("store"));
        RegistryTransferTest.dir = dir;
        RegistryTransferTest.buildThreeLayerImage(kiln, "app:1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (kiln != null) kiln.close();
        for (TestRegistry r : new TestRegistry[] {secure, tokenRegistry, plain}) if (r != null) r.close();
        if (tokens != null) tokens.close();
    }

    static PushOptions push(Path cert, String creds, Path authFile) {
        return new PushOptions(null, null, true, cert, creds, authFile, null);
    }

    static PullOptions pull(Path cert, String creds, Path authFile) {
        return new PullOptions(true, cert, creds, authFile, null);
    }

    @Test
    void httpsWithCertDirAndBasicAuthLoginPushPull() throws Exception {
        Path authFile = dir.resolve("auth/basic.json");
        Path written = Kiln.login(secure.host(), TestRegistry.USER, TestRegistry.PASSWORD, authFile, true, certDir);
        assertThat(written).isEqualTo(authFile);
        assertThat(Files.readString(authFile)).contains(secure.host()).doesNotContain(TestRegistry.PASSWORD);
        Digest pushed = kiln.push("app:1", "docker://" + secure.host() + "/sec/app:v1", push(certDir, null, authFile));
        try (Kiln other = Kiln.open(dir.resolve("stores/secure"))) {
            assertThat(other.pull(secure.host() + "/sec/app:v1", pull(certDir, null, authFile)).manifest()).isEqualTo(pushed);
            // --creds instead of the auth file
            String creds = TestRegistry.USER + ":" + TestRegistry.PASSWORD;
            assertThat(other.pull(secure.host() + "/sec/app:v1", pull(certDir, creds, null)).manifest()).isEqualTo(pushed);
        }
        assertThat(Kiln.logout(secure.host(), authFile)).isTrue();
        assertThat(Kiln.logout(secure.host(), authFile)).isFalse();
    }

    @Test
    void withoutTheCaHttpsIsRefusedNamingCertDir() throws Exception {
        Path noCa = Files.createDirectories(dir.resolve("empty-certs"));
        String creds = TestRegistry.USER + ":" + TestRegistry.PASSWORD;
        assertThatThrownBy(() -> kiln.push("app:1", secure.host() + "/sec/refused:v1", push(noCa, creds, null)))
                .isInstanceOf(KilnException.class).hasMessageContaining("--cert-dir");
        assertThatThrownBy(() -> Kiln.login(secure.host(), TestRegistry.USER, TestRegistry.PASSWORD, dir.resolve("auth/x.json"), true, noCa))
                .isInstanceOf(KilnException.class).hasMessageContaining("--cert-dir");
    }

    @Test
    void aWrongPasswordIsRejectedInOneLineWithoutThePassword() {
        Path authFile = dir.resolve("auth/wrong.json");
        String wrong = "not-the-pass-9431";
        assertThatThrownBy(() -> Kiln.login(secure.host(), TestRegistry.USER, wrong, authFile, true, certDir))
                .isInstanceOf(KilnException.class)
                .satisfies(e -> {
                    assertThat(e.getMessage()).doesNotContain(wrong).doesNotContain("\n").contains(secure.host());
                    assertThat(String.valueOf(e.getCause())).doesNotContain(wrong);
                });
        assertThat(authFile).doesNotExist();
        assertThatThrownBy(() -> kiln.push("app:1", secure.host() + "/sec/nope:v1", push(certDir, TestRegistry.USER + ":" + wrong, null)))
                .isInstanceOf(KilnException.class).satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));
    }

    @Test
    void bearerTokenFlowEndToEnd() throws Exception {
        Path authFile = dir.resolve("auth/token.json");
        Kiln.login(tokenRegistry.host(), TestRegistry.USER, TestRegistry.PASSWORD, authFile, true, null);
        Digest pushed = kiln.push("app:1", tokenRegistry.host() + "/tok/app:v1", push(null, null, authFile));
        try (Kiln other = Kiln.open(dir.resolve("stores/token"))) {
            assertThat(other.pull(tokenRegistry.host() + "/tok/app:v1", pull(null, null, authFile)).manifest()).isEqualTo(pushed);
        }
        assertThatThrownBy(() -> kiln.push("app:1", tokenRegistry.host() + "/tok/anon:v1", PushOptions.defaults()))
                .isInstanceOf(KilnException.class).hasMessageContaining("tok/anon");
    }

    @Test
    void cutConnectionsAreRetriedOrFailCleanlyLeavingNoPartialImage() throws Exception {
        try (FaultProxy proxy = new FaultProxy(plain.port())) {
            kiln.setRegistryTuning(Tuning.DEFAULT.withRetries(3, Duration.ofMillis(20), Duration.ofSeconds(5)));
            proxy.cut(1000, 100_000, FaultProxy.Direction.REQUEST);
            assertThatThrownBy(() -> kiln.push("app:1", proxy.host() + "/faulty/app:v1", PushOptions.defaults()))
                    .isInstanceOf(KilnException.class).hasMessageContaining(proxy.host()).hasMessageContaining("faulty/app");
            kiln.setRegistryTuning(Tuning.DEFAULT);
            proxy.cut(2, 100_000, FaultProxy.Direction.REQUEST);
            Digest pushed = kiln.push("app:1", proxy.host() + "/faulty/app:v1", PushOptions.defaults());

            try (Kiln other = Kiln.open(dir.resolve("stores/fault"))) {
                Map<String, Long> empty = TreeListing.files(other.root());
                other.setRegistryTuning(Tuning.DEFAULT.withRetries(3, Duration.ofMillis(20), Duration.ofSeconds(5)));
                proxy.cut(1000, 50_000, FaultProxy.Direction.RESPONSE);
                assertThatThrownBy(() -> other.pull(proxy.host() + "/faulty/app:v1", PullOptions.defaults()))
                        .isInstanceOf(KilnException.class).hasMessageContaining(proxy.host());
                assertThat(TreeListing.files(other.root())).as("nothing of the failed pull stays").isEqualTo(empty);
                assertThat(other.images()).isEmpty();

                other.setRegistryTuning(Tuning.DEFAULT);
                proxy.cut(2, 50_000, FaultProxy.Direction.RESPONSE);
                ImageInfo pulled = other.pull(proxy.host() + "/faulty/app:v1", PullOptions.defaults());
                assertThat(pulled.manifest()).isEqualTo(pushed);
            }
        }
    }

    @Test
    void aLayerUploadCutWhileStreamingIsSentAgainFromTheStoredCopy() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        try (Kiln fresh = Kiln.open(dir.resolve("stores/streamcut")); FaultProxy proxy = new FaultProxy(plain.port())) {
            RegistryTransferTest.buildThreeLayerImage(fresh, "fresh:1");
            fresh.setRegistryTuning(Tuning.DEFAULT.withListener((m, uri, status) -> requests.add(m + " " + status)));
            proxy.cut(3, 2_000, FaultProxy.Direction.REQUEST);
            Digest viaProxy = fresh.push("fresh:1", proxy.host() + "/streamcut/app:v1", PushOptions.defaults());
            assertThat(requests).as("a streamed PATCH was cut").contains("PATCH -1");

            Digest direct = fresh.push("fresh:1", plain.host() + "/streamcut/direct:v1", PushOptions.defaults());
            assertThat(viaProxy).isEqualTo(direct);
            assertThat(fresh.store().tmpDir()).as("no partial blob left").isEmptyDirectory();
            try (Kiln other = Kiln.open(dir.resolve("stores/streamcut-pull"))) {
                assertThat(other.pull(plain.host() + "/streamcut/app:v1", PullOptions.defaults()).manifest()).isEqualTo(viaProxy);
            }
        }
    }
}

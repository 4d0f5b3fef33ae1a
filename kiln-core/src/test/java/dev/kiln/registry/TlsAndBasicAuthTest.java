package dev.kiln.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.KilnException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real registry over HTTPS with a self-signed certificate, and with htpasswd Basic auth. */
@Tag("tools")
class TlsAndBasicAuthTest {
    @TempDir
    static Path dir;
    static TestRegistry registry;
    static Path certDir;

    @BeforeAll
    static void start() throws Exception {
        Path[] certKey = TestRegistry.selfSignedCert(dir.resolve("tls"), "127.0.0.1");
        certDir = Files.createDirectories(dir.resolve("certs.d"));
        Files.copy(certKey[0], certDir.resolve("ca.crt"));
        registry = TestRegistry.start(dir.resolve("reg"),
                TestRegistry.Config.plain().withTls(certKey[0], certKey[1]).withHtpasswd());
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) registry.close();
    }

    static RegistryOptions https(Credentials creds) {
        return new RegistryOptions(true, certDir, creds, false);
    }

    @Test
    void httpsWithCertDirAndGoodPasswordPushesAndPulls() throws Exception {
        RegistryClient c = RegistryClient.create(registry.host(),
                https(new Credentials(TestRegistry.USER, TestRegistry.PASSWORD)));
        assertThat(c.baseUri().getScheme()).isEqualTo("https");
        c.checkAuth();
        Blobs.Image img = Blobs.image(30, "amd64");
        Blobs.push(c, "secure/app", "v1", img);
        assertThat(c.getManifest("secure/app", "v1", null).bytes()).isEqualTo(img.manifest());
        assertThat(Blobs.readAll(c.openBlob("secure/app", img.layers().get(0).descriptor())))
                .isEqualTo(img.layers().get(0).bytes());
    }

    @Test
    void withoutTheCaTheTlsProblemIsNamed() {
        RegistryClient c = RegistryClient.create(registry.host(), new RegistryOptions(true, null, null, false));
        assertThatThrownBy(c::checkAuth).isInstanceOf(KilnException.class)
                .hasMessageContaining("TLS handshake with " + registry.host() + " failed")
                .hasMessageContaining("--cert-dir");
    }

    @Test
    void tlsVerifyFalseSkipsVerification() {
        RegistryClient c = RegistryClient.create(registry.host(),
                new RegistryOptions(false, null, new Credentials(TestRegistry.USER, TestRegistry.PASSWORD), false));
        c.checkAuth();
    }

    @Test
    void wrongPasswordIsA401WithoutThePassword() {
        RegistryClient c = RegistryClient.create(registry.host(), https(new Credentials(TestRegistry.USER, "wrong-horse")));
        assertThatThrownBy(c::checkAuth).isInstanceOf(KilnException.class)
                .hasMessageContaining("logging in to " + registry.host() + ": 401 unauthorized")
                .hasMessageContaining("kiln login " + registry.host())
                .message().doesNotContain("wrong-horse");
        Blobs.Blob b = Blobs.random(31, 100, "application/octet-stream");
        assertThatThrownBy(() -> c.pushBlob("secure/app", b.descriptor(), b.content()))
                .hasMessageContaining(registry.host() + "/secure/app: 401 unauthorized")
                .message().doesNotContain("wrong-horse");
    }

    @Test
    void anonymousIsRefused() {
        RegistryClient c = RegistryClient.create(registry.host(), https(null));
        assertThatThrownBy(() -> c.getManifest("secure/app", "v1", null))
                .hasMessageContaining("pulling manifest " + registry.host() + "/secure/app:v1: 401 unauthorized");
    }
}

package dev.kiln.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.KilnException;
import dev.kiln.oci.MediaType;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Bearer token flow: the real registry trusts tokens from {@link TokenServer}. */
@Tag("tools")
class TokenAuthTest {
    @TempDir
    static Path dir;
    static TokenServer tokens;
    static TestRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        Path[] certKey = TestRegistry.selfSignedCert(dir.resolve("signing"), "kiln-token-signer");
        tokens = new TokenServer(certKey[0], certKey[1], 300);
        registry = TestRegistry.start(dir.resolve("reg"), TestRegistry.Config.plain().withToken(
                new TestRegistry.TokenAuth(tokens.realm(), TokenServer.SERVICE, TokenServer.ISSUER, certKey[0])));
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) registry.close();
        if (tokens != null) tokens.close();
    }

    static RegistryClient client(Credentials creds) {
        return RegistryClient.create(registry.host(), RegistryOptions.defaults().withCredentials(creds));
    }

    @Test
    void pushAndPullWithTokensCachedPerScope() throws Exception {
        RegistryClient c = client(new Credentials(TestRegistry.USER, TestRegistry.PASSWORD));
        c.checkAuth();
        Blobs.Image img = Blobs.image(40, "amd64");
        tokens.requests.clear();
        Blobs.push(c, "tok/app", "v1", img);
        assertThat(c.getManifest("tok/app", "v1", null).bytes()).isEqualTo(img.manifest());
        assertThat(Blobs.readAll(c.openBlob("tok/app", img.layers().get(0).descriptor()))).isEqualTo(img.layers().get(0).bytes());
        assertThat(c.tags("tok/app")).containsExactly("v1");
        // one token for pull (the HEADs and GETs), one for pull,push; then the cache answers
        assertThat(tokens.requests).containsExactlyInAnyOrder(
                "service=" + TokenServer.SERVICE + "&scope=repository:tok/app:pull",
                "service=" + TokenServer.SERVICE + "&scope=repository:tok/app:pull,push");

        Blobs.Blob b = Blobs.random(41, 1000, MediaType.OCI_LAYER_GZIP);
        c.pushBlob("tok/app", b.descriptor(), b.content());
        assertThat(c.mountBlob("tok/other", b.descriptor().digest(), "tok/app")).isTrue();
    }

    @Test
    void wrongPasswordIsRefusedByTheTokenServiceWithoutThePassword() {
        RegistryClient c = client(new Credentials(TestRegistry.USER, "wrong-horse"));
        assertThatThrownBy(() -> c.getManifest("tok/app", "v1", null)).isInstanceOf(KilnException.class)
                .hasMessageContaining("pulling manifest " + registry.host() + "/tok/app:v1")
                .hasMessageContaining("401 unauthorized (UNAUTHORIZED: bad user name or password)")
                .hasMessageContaining("kiln login " + registry.host())
                .message().doesNotContain("wrong-horse");
    }

    @Test
    void anonymousTokenWithoutAccessIsRefused() {
        RegistryClient c = client(null);
        assertThatThrownBy(() -> c.getManifest("tok/app", "v1", null)).isInstanceOf(KilnException.class)
                .hasMessageContaining("pulling manifest " + registry.host() + "/tok/app:v1: 401 unauthorized");
    }
}

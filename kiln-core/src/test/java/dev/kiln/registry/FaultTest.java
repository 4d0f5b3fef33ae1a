package dev.kiln.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.KilnException;
import dev.kiln.oci.MediaType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connections cut mid-blob by a proxy in front of the real registry. */
@Tag("tools")
class FaultTest {
    @TempDir
    Path dir;
    TestRegistry registry;
    FaultProxy proxy;
    RegistryClient direct;
    RegistryClient viaProxy;
    final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        registry = TestRegistry.start(dir, TestRegistry.Config.plain());
        proxy = new FaultProxy(registry.port());
        direct = RegistryClient.create(registry.host(), RegistryOptions.defaults());
        viaProxy = RegistryClient.create(proxy.host(), RegistryOptions.defaults(),
                Tuning.DEFAULT.withRetries(4, Duration.ofMillis(20), Duration.ofSeconds(20))
                        .withListener((m, uri, s) -> requests.add(m + " " + s)));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        registry.close();
    }

    @Test
    void downloadResumesWithRangeAndVerifies() throws Exception {
        Blobs.Blob b = Blobs.random(20, 1_000_000, MediaType.OCI_LAYER_GZIP);
        direct.pushBlob("fault", b.descriptor(), b.content());
        proxy.cut(2, 300_000, FaultProxy.Direction.RESPONSE);
        assertThat(Blobs.readAll(viaProxy.openBlob("fault", b.descriptor()))).isEqualTo(b.bytes());
        assertThat(requests).containsExactly("GET 200", "GET 206", "GET 206");
    }

    @Test
    void uploadRestartsAfterCut() throws Exception {
        Blobs.Blob b = Blobs.random(21, 500_000, MediaType.OCI_LAYER_GZIP);
        proxy.cut(1, 200_000, FaultProxy.Direction.REQUEST);
        assertThat(viaProxy.pushBlob("fault", b.descriptor(), b.content())).isTrue();
        assertThat(requests).contains("PUT -1").endsWith("POST 202", "PUT 201");
        assertThat(Blobs.readAll(direct.openBlob("fault", b.descriptor()))).isEqualTo(b.bytes());
    }

    @Test
    void chunkedUploadRestartsAfterCut() throws Exception {
        RegistryClient chunky = RegistryClient.create(proxy.host(), RegistryOptions.defaults(),
                Tuning.DEFAULT.withChunking(1000, 64 * 1024).withRetries(4, Duration.ofMillis(20), Duration.ofSeconds(20)));
        Blobs.Blob b = Blobs.random(22, 500_000, MediaType.OCI_LAYER_GZIP);
        proxy.cut(1, 200_000, FaultProxy.Direction.REQUEST);
        assertThat(chunky.pushBlob("fault", b.descriptor(), b.content())).isTrue();
        assertThat(Blobs.readAll(direct.openBlob("fault", b.descriptor()))).isEqualTo(b.bytes());
    }

    @Test
    void boundedFailureGivesClearError() {
        Blobs.Blob b = Blobs.random(23, 500_000, MediaType.OCI_LAYER_GZIP);
        direct.pushBlob("fault", b.descriptor(), b.content());
        proxy.cut(1000, 100_000, FaultProxy.Direction.RESPONSE);
        assertThatThrownBy(() -> Blobs.readAll(viaProxy.openBlob("fault", b.descriptor())))
                .isInstanceOf(KilnException.class)
                .hasMessageContaining("pulling blob " + b.descriptor().digest() + " from " + proxy.host() + "/fault")
                .hasMessageContaining("gave up after 4 resumed attempts");

        Blobs.Blob c = Blobs.random(24, 500_000, MediaType.OCI_LAYER_GZIP);
        proxy.cut(1000, 100_000, FaultProxy.Direction.REQUEST);
        assertThatThrownBy(() -> viaProxy.pushBlob("fault", c.descriptor(), c.content()))
                .isInstanceOf(KilnException.class)
                .hasMessageContaining("pushing blob " + c.descriptor().digest() + " to " + proxy.host() + "/fault")
                .hasMessageContaining("gave up after 4 upload attempts");
        assertThat(direct.hasBlob("fault", c.descriptor().digest())).isFalse();
    }
}

package dev.kiln.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.MediaType;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads of bytes still being made (push's compress-and-send pass): the real registry, and a proxy that cuts. */
@Tag("tools")
class StreamedUploadTest {
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
        direct = RegistryClient.create(registry.host(), RegistryOptions.defaults(),
                Tuning.DEFAULT.withListener((m, uri, s) -> requests.add(m + " " + s)));
        viaProxy = RegistryClient.create(proxy.host(), RegistryOptions.defaults(),
                Tuning.DEFAULT.withRetries(2, Duration.ofMillis(20), Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        registry.close();
    }

    @Test
    void bytesWrittenInPiecesGoInOnePatchAndTheDigestComesLast() throws Exception {
        Blobs.Blob b = Blobs.random(30, 1_500_000, MediaType.OCI_LAYER_GZIP);
        try (StreamedUpload up = direct.startUpload("streamed", b.bytes().length)) {
            writeInPieces(up.body(), b.bytes());
            assertThat(up.finish(b.descriptor())).isTrue();
        }
        assertThat(requests).containsExactly("POST 202", "PATCH 202", "PUT 201");
        assertThat(Blobs.readAll(direct.openBlob("streamed", b.descriptor()))).isEqualTo(b.bytes());
    }

    @Test
    void closedWithoutFinishPublishesNothing() throws Exception {
        Blobs.Blob b = Blobs.random(31, 300_000, MediaType.OCI_LAYER_GZIP);
        try (StreamedUpload up = direct.startUpload("streamed", b.bytes().length)) {
            up.body().write(b.bytes(), 0, 100_000); // the producer failed here
        }
        assertThat(direct.hasBlob("streamed", b.descriptor().digest())).isFalse();
    }

    @Test
    void wrongDigestOrSizeIsRefused() throws Exception {
        Blobs.Blob b = Blobs.random(32, 200_000, MediaType.OCI_LAYER_GZIP);
        Blobs.Blob other = Blobs.random(33, 200_000, MediaType.OCI_LAYER_GZIP);
        try (StreamedUpload up = direct.startUpload("streamed", b.bytes().length)) {
            writeInPieces(up.body(), b.bytes());
            assertThatThrownBy(() -> up.finish(other.descriptor())).isInstanceOf(RuntimeException.class);
        }
        assertThat(direct.hasBlob("streamed", other.descriptor().digest())).isFalse();
        assertThat(direct.hasBlob("streamed", b.descriptor().digest())).isFalse();
    }

    @Test
    void aCutConnectionLetsTheProducerFinishAndAsksForAnotherUpload() throws Exception {
        Blobs.Blob b = Blobs.random(34, 2_000_000, MediaType.OCI_LAYER_GZIP);
        proxy.cut(1, 300_000, FaultProxy.Direction.REQUEST);
        try (StreamedUpload up = viaProxy.startUpload("streamed", b.bytes().length)) {
            writeInPieces(up.body(), b.bytes()); // never fails because of the upload
            up.body().close();
            assertThat(up.finish(b.descriptor())).isFalse();
        }
        assertThat(direct.hasBlob("streamed", b.descriptor().digest())).isFalse();
        viaProxy.uploadBlob("streamed", b.descriptor(), b.content());
        assertThat(Blobs.readAll(direct.openBlob("streamed", b.descriptor()))).isEqualTo(b.bytes());
    }

    private static void writeInPieces(OutputStream out, byte[] bytes) throws Exception {
        for (int off = 0; off < bytes.length; off += 70_001) out.write(bytes, off, Math.min(70_001, bytes.length - off));
    }
}

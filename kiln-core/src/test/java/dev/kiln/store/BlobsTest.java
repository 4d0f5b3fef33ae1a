package dev.kiln.store;

import dev.kiln.oci.Digest;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.NotFoundException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlobsTest {
    @TempDir
    Path dir;
    Store store;
    Blobs blobs;

    @BeforeEach
    void open() {
        store = Store.open(dir.resolve("store"), new StoreOptions("vfs"));
        blobs = store.blobs();
    }

    @Test
    void putThenReadBack() {
        byte[] bytes = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        Digest d = blobs.put(bytes);
        assertThat(d).isEqualTo(Digest.sha256(bytes));
        assertThat(blobs.has(d)).isTrue();
        assertThat(blobs.size(d)).isEqualTo(bytes.length);
        assertThat(blobs.path(d)).isEqualTo(store.root().resolve("blobs/sha256/" + d.hex()));
        assertThat(blobs.read(d)).isEqualTo(bytes);
        assertThat(blobs.put(bytes)).isEqualTo(d); // idempotent
        assertThat(tmpEntries()).isZero();
    }

    @Test
    void ingestVerifiesDigestAndSize() {
        byte[] bytes = "layer bytes".getBytes(StandardCharsets.UTF_8);
        Digest right = Digest.sha256(bytes);
        assertThat(blobs.ingest(new ByteArrayInputStream(bytes), right, bytes.length)).isEqualTo(right);
        blobs.delete(right);

        Digest wrong = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> blobs.ingest(new ByteArrayInputStream(bytes), wrong, bytes.length))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("digest mismatch: expected " + wrong + " got " + right);
        assertThatThrownBy(() -> blobs.ingest(new ByteArrayInputStream(bytes), right, bytes.length + 1))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("size mismatch");
        assertThat(blobs.has(right)).isFalse();
        assertThat(blobs.has(wrong)).isFalse();
        assertThat(store.root().resolve("blobs/sha256").toFile().list()).isEmpty();
        assertThat(tmpEntries()).isZero();
    }

    @Test
    void aBlobHandedToTheDiskAsItIsWrittenKeepsEveryByte() throws Exception {
        // Over three writeback steps, in writes that straddle them, then a partial last step.
        Random random = new Random(7);
        byte[] chunk = new byte[3 * 1024 * 1024 + 17];
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        long size = 0;
        Digest d;
        try (BlobSink sink = blobs.newSink()) {
            while (size < 3 * BlobSink.WRITEBACK_STEP + 5) {
                random.nextBytes(chunk);
                sink.write(chunk, 0, chunk.length);
                expected.update(chunk);
                size += chunk.length;
            }
            d = sink.commit(null, size);
        }
        assertThat(d.hex()).isEqualTo(HexFormat.of().formatHex(expected.digest()));
        assertThat(blobs.size(d)).isEqualTo(size);
        try (InputStream in = blobs.open(d)) {
            MessageDigest reread = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) reread.update(buf, 0, n);
            assertThat(reread.digest()).isEqualTo(HexFormat.of().parseHex(d.hex()));
        }
        assertThat(tmpEntries()).isZero();
    }

    @Test
    void sinkAbortAndCloseLeaveNothing() throws Exception {
        try (BlobSink sink = blobs.newSink()) {
            sink.write(new byte[1000]);
            assertThat(tmpEntries()).isEqualTo(1);
        }
        BlobSink s = blobs.newSink();
        s.write(1);
        s.abort();
        assertThat(tmpEntries()).isZero();
    }

    @Test
    void verifyingReaderCatchesAFlippedByte() throws Exception {
        byte[] bytes = new byte[100_000];
        new Random(1).nextBytes(bytes);
        Digest d = blobs.put(bytes);
        Path p = blobs.path(d);
        byte[] corrupt = bytes.clone();
        corrupt[5000] ^= 1;
        Files.write(p, corrupt);
        try (InputStream in = blobs.open(d)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("blob " + d + " in store").hasMessageContaining("is corrupt");
        }
        assertThatThrownBy(() -> blobs.read(d)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void missingBlobIsNotFound() {
        Digest d = Digest.sha256(new byte[]{1});
        assertThatThrownBy(() -> blobs.open(d)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> blobs.size(d)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void compressedMapForgetsMissingBlobs() {
        Digest diffId = Digest.sha256("tar".getBytes(StandardCharsets.UTF_8));
        Digest gz = blobs.put("gz".getBytes(StandardCharsets.UTF_8));
        assertThat(blobs.compressed(diffId, "gzip")).isEmpty();
        blobs.recordCompressed(diffId, "gzip", gz);
        assertThat(blobs.compressed(diffId, "gzip")).contains(gz);
        assertThat(blobs.compressed(diffId, "zstd")).isEmpty();
        blobs.delete(gz);
        assertThat(blobs.compressed(diffId, "gzip")).isEmpty();
    }

    private long tmpEntries() {
        try (Stream<Path> s = Files.list(store.tmpDir())) {
            return s.count();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}

package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.layer.Compression;
import dev.kiln.layer.Decompressor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.Manifest;
import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** commit --timestamp: identical input gives bit-for-bit identical layers, config and manifest. */
@Tag("privileged")
class ReproducibleCommitTest {
    @TempDir
    Path tmp;

    private CommitResult build(Path store, String driver, String format, Instant fileTime) throws Exception {
        return build(store, driver, format, fileTime, null);
    }

    private CommitResult build(Path store, String driver, String format, Instant fileTime, String compression) throws Exception {
        Path file = Files.writeString(tmp.resolve("conf-" + fileTime.getEpochSecond()), "same content\n");
        Files.setLastModifiedTime(file, FileTime.from(fileTime));
        try (Kiln kiln = Kiln.open(new KilnOptions(store, driver))) {
            WorkingContainer ctr = kiln.from("scratch", null);
            ctr.add(List.of(Fixtures.busyboxRootfsTar().toString()), "/", CopyOptions.add());
            ctr.add(List.of(file.toString()), "/etc/app.conf", CopyOptions.copy());
            ctr.config(SeedWorkflowTest.change(c -> c.cmd = "cat /etc/app.conf"));
            return ctr.commit("app", new CommitOptions(false, format, 1700000000L, compression, false, null));
        }
    }

    @ParameterizedTest
    @CsvSource({"overlay,oci", "vfs,oci", "overlay,docker"})
    void sameInputAndTimestampGiveTheSameImage(String driver, String format) throws Exception {
        Tools.requireRoot();
        CommitResult a = build(tmp.resolve("a"), driver, format, Instant.ofEpochSecond(1000));
        Thread.sleep(1100); // a different wall clock and different file mtimes must not matter
        CommitResult b = build(tmp.resolve("b"), driver, format, Instant.ofEpochSecond(2000));
        assertThat(b.manifest()).isEqualTo(a.manifest());
        assertThat(b.imageId()).isEqualTo(a.imageId());
        assertThat(Files.readAllBytes(tmp.resolve("b/blobs/sha256/" + b.manifest().hex())))
                .isEqualTo(Files.readAllBytes(tmp.resolve("a/blobs/sha256/" + a.manifest().hex())));
    }

    /**
     * Issue 7: whichever path writes the layer (uncompressed, where the store's own hash is the
     * diffID; gzip on every core through the digesting stream; zstd), the layer's content and
     * diffID are the same, and the gzip blob a commit streams is byte for byte what compressing
     * the stored uncompressed layer afterwards (as push does) gives.
     */
    @ParameterizedTest
    @CsvSource({"overlay", "vfs"})
    void everyCompressionPathCommitsTheSameLayer(String driver) throws Exception {
        Tools.requireRoot();
        Instant t = Instant.ofEpochSecond(1000);
        Path plainStore = tmp.resolve("plain");
        Manifest plain = manifest(plainStore, build(plainStore, driver, "oci", t, null));
        byte[] tar = Files.readAllBytes(blob(plainStore, plain.layers().getLast().digest()));
        ByteArrayOutputStream recompressed = new ByteArrayOutputStream();
        try (OutputStream z = Compression.GZIP.compressing(recompressed)) {
            z.write(tar);
        }
        for (String compression : List.of("gzip", "zstd")) {
            Path store = tmp.resolve(compression);
            Manifest m = manifest(store, build(store, driver, "oci", t, compression));
            assertThat(m.layers()).hasSameSizeAs(plain.layers());
            assertThat(diffIds(store, m)).isEqualTo(diffIds(plainStore, plain));
            try (InputStream in = Decompressor.decompressing(Files.newInputStream(blob(store, m.layers().getLast().digest())))) {
                assertThat(in.readAllBytes()).as(compression).isEqualTo(tar);
            }
            if (compression.equals("gzip")) {
                assertThat(Files.readAllBytes(blob(store, m.layers().getLast().digest()))).isEqualTo(recompressed.toByteArray());
            }
        }
    }

    private static Path blob(Path store, Digest digest) {
        return store.resolve("blobs/sha256/" + digest.hex());
    }

    private static Manifest manifest(Path store, CommitResult r) throws Exception {
        return Manifest.parse(Files.readAllBytes(blob(store, r.manifest())));
    }

    private static List<Digest> diffIds(Path store, Manifest m) throws Exception {
        return ImageConfig.parse(Files.readAllBytes(blob(store, m.config().digest()))).rootfs().diffIds();
    }
}

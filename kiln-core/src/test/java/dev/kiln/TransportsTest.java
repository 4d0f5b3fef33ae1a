package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.NotFoundException;
import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import dev.kiln.testing.TreeListing;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** push and pull through oci:, oci-archive: and docker-archive:, and what bad archives do. */
@Tag("privileged")
class TransportsTest {
    @TempDir
    Path tmp;

    private Kiln kiln;
    private CommitResult image;

    @BeforeEach
    void setUp() throws Exception {
        Tools.requireRoot();
        kiln = Kiln.open(tmp.resolve("store"));
        WorkingContainer ctr = kiln.from("scratch", null);
        ctr.add(List.of(Fixtures.busyboxRootfsTar().toString()), "/", CopyOptions.add());
        image = ctr.commit("app:1", CommitOptions.defaults());
    }

    @org.junit.jupiter.api.AfterEach
    void tearDown() {
        if (kiln != null) kiln.close();
    }

    private ImageInfo roundTrip(String location) {
        kiln.push("app:1", location, PushOptions.defaults());
        try (Kiln other = Kiln.open(tmp.resolve("other"))) {
            ImageInfo pulled = other.pull(location);
            assertThat(pulled.id()).as("config digest survives " + location).isEqualTo(image.imageId());
            return pulled;
        }
    }

    @Test
    void ociLayoutRoundTripCompressesWithGzipAndKeepsTheConfig() throws Exception {
        ImageInfo pulled = roundTrip("oci:" + tmp.resolve("layout") + ":app");
        assertThat(pulled.names()).containsExactly("localhost/app:latest");
        String raw = Tools.run("skopeo", "inspect", "--raw", "oci:" + tmp.resolve("layout") + ":app").stdout();
        assertThat(raw).contains("application/vnd.oci.image.layer.v1.tar+gzip");
    }

    @Test
    void ociArchiveRoundTrip() {
        ImageInfo pulled = roundTrip("oci-archive:" + tmp.resolve("a.tar") + ":localhost/app:1");
        assertThat(pulled.names()).containsExactly("localhost/app:1");
    }

    @Test
    void dockerArchiveRoundTripAndSkopeoReadsIt() throws Exception {
        Tools.require("skopeo");
        Path archive = tmp.resolve("d.tar");
        ImageInfo pulled = roundTrip("docker-archive:" + archive);
        assertThat(pulled.names()).containsExactly("localhost/app:1");
        String inspect = Tools.run("skopeo", "inspect", "--config", "docker-archive:" + archive).stdout();
        assertThat(inspect).contains("\"rootfs\"");
    }

    @Test
    void secondPushReusesTheCompressedBlob() throws Exception {
        kiln.push("app:1", "oci:" + tmp.resolve("l1"), PushOptions.defaults());
        Map<String, Long> before = TreeListing.files(tmp.resolve("store/blobs"));
        kiln.push("app:1", "oci:" + tmp.resolve("l2"), PushOptions.defaults());
        assertThat(TreeListing.files(tmp.resolve("store/blobs"))).isEqualTo(before);
        assertThat(TreeListing.files(tmp.resolve("l1/blobs"))).isEqualTo(TreeListing.files(tmp.resolve("l2/blobs")));
    }

    @Test
    void truncatedOrCorruptArchivesFailCleanlyAndLeaveTheStoreAsItWas() throws Exception {
        Path archive = tmp.resolve("a.tar");
        kiln.push("app:1", "oci-archive:" + archive, PushOptions.defaults());
        Path store = tmp.resolve("other");
        try (Kiln other = Kiln.open(store)) {
            Map<String, Long> before = TreeListing.files(store);
            Path truncated = tmp.resolve("truncated.tar");
            Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(archive), (int) Files.size(archive) / 2));
            assertThatThrownBy(() -> other.pull("oci-archive:" + truncated)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining(truncated.toString());
            assertThat(TreeListing.files(store)).isEqualTo(before);

            Path flipped = tmp.resolve("flipped.tar");
            Files.copy(archive, flipped);
            try (RandomAccessFile f = new RandomAccessFile(flipped.toFile(), "rw")) {
                long at = Files.size(flipped) / 2;
                f.seek(at);
                int b = f.read();
                f.seek(at);
                f.write(b ^ 0xff);
            }
            assertThatThrownBy(() -> other.pull("oci-archive:" + flipped)).isInstanceOf(KilnException.class);
            assertThat(TreeListing.files(store)).isEqualTo(before);

            assertThatThrownBy(() -> other.pull("oci-archive:" + tmp.resolve("missing.tar")))
                    .isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> other.pull("nowhere:x")).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("oci-archive:");
        }
    }

    @Test
    void aManifestWhoseDigestDoesNotMatchIsRefused() throws Exception {
        Path layout = tmp.resolve("layout");
        kiln.push("app:1", "oci:" + layout + ":app", PushOptions.defaults());
        String index = Files.readString(layout.resolve("index.json"));
        String digest = index.replaceAll("(?s).*\"digest\":\"sha256:([0-9a-f]{64})\".*", "$1");
        Path manifest = layout.resolve("blobs/sha256/" + digest);
        Files.writeString(manifest, Files.readString(manifest).replace("\"schemaVersion\":2", "\"schemaVersion\": 2"));
        Path store = tmp.resolve("other");
        try (Kiln other = Kiln.open(store)) {
            Map<String, Long> before = TreeListing.files(store);
            assertThatThrownBy(() -> other.pull("oci:" + layout + ":app")).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("does not match");
            assertThat(TreeListing.files(store)).isEqualTo(before);
        }
    }
}

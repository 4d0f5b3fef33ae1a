package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.layer.HostileArchives;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.History;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Platform;
import dev.kiln.testing.Tools;
import dev.kiln.testing.TreeListing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hostile-archive table through the store, on both drivers: as a tarball given to
 * {@code add}, and as a layer of an image pulled from an OCI layout and unpacked by {@code from}.
 */
@Tag("privileged")
class HostileInputTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"overlay", "vfs"})
    void addOfAHostileTarballTouchesNothingOutsideAndRefusalsChangeNothing(String driver) throws Exception {
        Tools.requireRoot();
        Path store = tmp.resolve("store");
        try (Kiln kiln = Kiln.open(new KilnOptions(store, driver))) {
            int i = 0;
            for (HostileArchives.Row row : HostileArchives.rows(Path.of("/nonexistent"))) {
                WorkingContainer ctr = kiln.from("scratch", "c" + i++);
                Path root = ctr.mount();
                Path outside = HostileArchives.makeOutside(root.getParent());
                for (HostileArchives.Row r : HostileArchives.rows(outside)) {
                    if (!r.name().equals(row.name())) continue;
                    r.prepare().run(root, outside);
                    Path archive = Files.write(tmp.resolve("hostile-" + i + ".tar"), r.archive());
                    Map<String, String> outsideBefore = TreeListing.of(outside, Set.of());
                    Map<String, Long> storeBefore = TreeListing.files(store);
                    if (r.outcome() == HostileArchives.Outcome.REFUSED) {
                        assertThatThrownBy(() -> ctr.add(List.of(archive.toString()), "/", CopyOptions.add()))
                                .as(r.name()).isInstanceOf(InvalidInputException.class);
                        if (r.refusedBeforeWriting()) {
                            assertThat(TreeListing.files(store)).as("store after refused " + r.name()).isEqualTo(storeBefore);
                        }
                    } else {
                        ctr.add(List.of(archive.toString()), "/", CopyOptions.add());
                    }
                    assertThat(TreeListing.of(outside, Set.of())).as("outside after " + r.name()).isEqualTo(outsideBefore);
                }
                ctr.unmount();
                kiln.removeContainer(ctr.id());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlay", "vfs"})
    void aHostileLayerInAPulledImageIsRefusedWhenUnpackedAndLeavesNoSnapshot(String driver) throws Exception {
        Tools.requireRoot();
        Path outside = HostileArchives.makeOutside(tmp);
        Path store = tmp.resolve("store");
        try (Kiln kiln = Kiln.open(new KilnOptions(store, driver))) {
            int i = 0;
            for (HostileArchives.Row r : HostileArchives.rows(outside)) {
                if (r.prepare() != null && !r.name().contains("rootfs") && !r.name().startsWith("file replaces")
                        && !r.name().startsWith("directory replaces")) {
                    Path layout = ociLayoutWithLayer(r.archive(), tmp.resolve("layout-" + i));
                    String src = "oci:" + layout + ":hostile" + i;
                    Map<String, String> outsideBefore = TreeListing.of(outside, Set.of());
                    if (r.outcome() == HostileArchives.Outcome.REFUSED) {
                        refusedAtPullOrFrom(kiln, driver, src, r.name(), store);
                    } else {
                        kiln.removeContainer(kiln.from(kiln.pull(src).id(), null).id());
                    }
                    assertThat(TreeListing.of(outside, Set.of())).as("outside after layer " + r.name()).isEqualTo(outsideBefore);
                }
                i++;
            }
        }
    }

    /**
     * Overlay unpacks each layer as the pull stores it, so the pull refuses a hostile one and the
     * store is as before it; vfs unpacks at from, which refuses it and leaves the store as the pull
     * left it.
     */
    private static void refusedAtPullOrFrom(Kiln kiln, String driver, String src, String name, Path store) throws Exception {
        Map<String, Long> before = TreeListing.files(store);
        ImageInfo image;
        try {
            image = kiln.pull(src);
        } catch (InvalidInputException refusedAtPull) {
            assertThat(driver).as(name).isEqualTo("overlay");
            assertThat(TreeListing.files(store)).as("store after refused pull " + name).isEqualTo(before);
            return;
        }
        Map<String, Long> afterPull = TreeListing.files(store);
        assertThatThrownBy(() -> kiln.from(image.id(), null)).as(name).isInstanceOf(InvalidInputException.class);
        assertThat(TreeListing.files(store)).as("store after refused layer " + name).isEqualTo(afterPull);
    }

    /** An OCI layout holding one image whose only layer is {@code tar} (uncompressed). */
    static Path ociLayoutWithLayer(byte[] tar, Path dir) throws Exception {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Digest layer = Digest.sha256(tar);
        Files.write(dir.resolve("blobs/sha256/" + layer.hex()), tar);
        byte[] config = ImageConfig.empty(Platform.host())
                .withAddedLayer(layer, new History("1970-01-01T00:00:00Z", "test", null, null, false)).toJson();
        Digest configDigest = Digest.sha256(config);
        Files.write(dir.resolve("blobs/sha256/" + configDigest.hex()), config);
        byte[] manifest = Manifest.of(Descriptor.of(MediaType.OCI_CONFIG, configDigest, config.length),
                List.of(Descriptor.of(MediaType.OCI_LAYER, layer, tar.length))).toJson();
        Digest manifestDigest = Digest.sha256(manifest);
        Files.write(dir.resolve("blobs/sha256/" + manifestDigest.hex()), manifest);
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
                + MediaType.OCI_MANIFEST + "\",\"digest\":\"" + manifestDigest + "\",\"size\":" + manifest.length
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + dir.getFileName().toString().replace("layout-", "hostile") + "\"}}]}");
        return dir;
    }
}

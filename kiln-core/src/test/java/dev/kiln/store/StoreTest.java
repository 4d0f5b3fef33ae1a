package dev.kiln.store;

import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreTest {
    @TempDir
    Path dir;

    @Test
    void createsTheLayoutOnFirstOpen() throws Exception {
        Path root = dir.resolve("a/b/store");
        try (Store s = Store.open(root, StoreOptions.DEFAULT)) {
            assertThat(Files.readString(root.resolve("oci-layout"))).isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
            assertThat(Json.readObject(root.resolve("index.json")).path("manifests").isArray()).isTrue();
            for (String d : new String[]{"blobs/sha256", "snapshots", "containers", "compressed", "cache", "tmp"}) {
                assertThat(root.resolve(d)).isDirectory();
            }
            assertThat(s.tmpDir().getParent()).as("a scratch directory of its own in tmp/").isEqualTo(root.resolve("tmp"));
            // as root on a kernel with overlay (this machine), the default is overlay
            assertThat(s.driver().name()).isEqualTo(Store.overlayWorks(s.tmpDir()) ? "overlay" : "vfs");
            assertThat(Json.readObject(root.resolve("store.json")).path("driver").asText()).isEqualTo(s.driver().name());
            assertThat(s.tmpDir().toFile().list()).isEmpty();
        }
    }

    @Test
    void laterOpensKeepTheDriverAndRefuseAnother() {
        Path root = dir.resolve("store");
        Store.open(root, new StoreOptions("vfs")).close();
        assertThat(Store.open(root, StoreOptions.DEFAULT).driver()).isInstanceOf(VfsDriver.class);
        assertThat(Store.open(root, new StoreOptions("vfs")).driver().name()).isEqualTo("vfs");
        assertThatThrownBy(() -> Store.open(root, new StoreOptions("overlay")))
                .isInstanceOf(KilnException.class).hasMessageContaining("store " + root + " uses the vfs driver");
        assertThatThrownBy(() -> Store.open(dir.resolve("other"), new StoreOptions("btrfs")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("unknown storage driver");
    }

    @Test
    void reopeningAnExistingStoreChangesNothing() throws Exception {
        Path root = dir.resolve("store");
        Store s = Store.open(root, new StoreOptions("vfs"));
        s.images().tag("x:1", dev.kiln.oci.MediaType.OCI_MANIFEST, ImagesTest.d(1), 1);
        byte[] index = Files.readAllBytes(root.resolve("index.json"));
        Store.open(root, StoreOptions.DEFAULT);
        assertThat(Files.readAllBytes(root.resolve("index.json"))).isEqualTo(index);
    }

    @Test
    void chainIdsFollowTheImageSpec() {
        var a = ImagesTest.d(1);
        var b = ImagesTest.d(2);
        var c = ImagesTest.d(3);
        var ids = Snapshots.chainIds(java.util.List.of(a, b, c));
        assertThat(ids.get(0)).isEqualTo(a);
        var ab = dev.kiln.oci.Digest.sha256((a + " " + b).getBytes());
        assertThat(ids.get(1)).isEqualTo(ab);
        assertThat(ids.get(2)).isEqualTo(dev.kiln.oci.Digest.sha256((ab + " " + c).getBytes()));
    }
}

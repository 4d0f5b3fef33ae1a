package dev.kiln.store;

import dev.kiln.oci.Digest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The store root is an OCI layout the real tools read, with kiln's full image names
 * ("localhost/tiny:latest") as ref names: skopeo, umoci and buildah all accept them after the
 * first ':' of the {@code oci:} reference.
 */
@Tag("tools")
class OciToolsTest {
    @TempDir
    Path dir;

    Store storeWithTinyImage() throws Exception {
        Store store = Store.open(dir.resolve("store"), new StoreOptions("vfs"));
        Path staging = dir.resolve("staging");
        Fixtures.write(staging.resolve("etc/hello"), "hello\n");
        Digest m = Fixtures.image(store, "localhost/tiny:latest", List.of(Fixtures.layer(store, staging)));
        store.images().tag("other:v1", dev.kiln.oci.MediaType.OCI_MANIFEST, m, store.blobs().size(m));
        return store;
    }

    @Test
    void skopeoInspectsByFullName() throws Exception {
        assumeTrue(Fixtures.hasTool("skopeo"), "skopeo is not installed");
        Store store = storeWithTinyImage();
        String out = Fixtures.run("skopeo", "inspect", "oci:" + store.root() + ":localhost/tiny:latest");
        assertThat(out).contains(store.images().byName("localhost/tiny:latest").orElseThrow().manifest().toString());
        assertThat(Fixtures.run("skopeo", "inspect", "oci:" + store.root() + ":other:v1")).contains("\"Os\": \"linux\"");
    }

    @Test
    void umociUnpacksByFullName() throws Exception {
        assumeTrue(Fixtures.hasTool("umoci"), "umoci is not installed");
        Store store = storeWithTinyImage();
        Path dest = dir.resolve("bundle");
        Fixtures.run("umoci", "unpack", "--image", store.root() + ":localhost/tiny:latest", dest.toString());
        assertThat(Files.readString(dest.resolve("rootfs/etc/hello"))).isEqualTo("hello\n");
        assertThat(Fixtures.run("umoci", "ls", "--layout", store.root().toString()))
                .contains("localhost/tiny:latest").contains("other:v1");
    }

    @Test
    void buildahPullsByFullName() throws Exception {
        assumeTrue(Fixtures.hasTool("buildah"), "buildah is not installed");
        Store store = storeWithTinyImage();
        Path bh = dir.resolve("buildah");
        String out = Fixtures.run("buildah", "--root", bh.resolve("root").toString(), "--runroot", bh.resolve("run").toString(),
                "--storage-driver", "vfs", "pull", "oci:" + store.root() + ":localhost/tiny:latest");
        assertThat(out).contains("Writing manifest to image destination");
    }
}

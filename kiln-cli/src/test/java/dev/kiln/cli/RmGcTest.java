package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.Digest;
import dev.kiln.oci.Manifest;
import dev.kiln.store.Store;
import dev.kiln.store.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 2: gc also runs where it is cheap. A working container keeps its base image's
 * blobs and snapshots alive after the image lost its last name (here: the name moved to the
 * container's own commit); {@code rm} of that container frees them at once.
 */
class RmGcTest {
    @TempDir
    Path dir;

    @Test
    void rmOfTheLastContainerOnAnUnnamedBaseFreesTheBase() throws Exception {
        Cli kiln = new Cli(dir.resolve("store"));
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(ctx.resolve("one"), "one\n");
        Files.writeString(ctx.resolve("two"), "two\n");
        String first = kiln.ok("from", "scratch");
        kiln.ok("copy", "--contextdir", ctx.toString(), first, "one", "/");
        kiln.ok("commit", "--rm", first, "app");
        Digest oldManifest = manifest(kiln, "localhost/app:latest");
        Digest oldLayer;
        try (Store s = Store.open(kiln.root(), StoreOptions.DEFAULT)) {
            oldLayer = Manifest.parse(s.blobs().read(oldManifest)).layers().getFirst().digest();
        }
        String ctr = kiln.ok("from", "app");
        kiln.ok("copy", "--contextdir", ctx.toString(), ctr, "two", "/");
        kiln.ok("commit", "--squash", ctr, "app"); // the name moves: the base is unnamed, kept by the container

        assertThat(blob(kiln, oldManifest)).exists();
        assertThat(kiln.run("fsck").code()).isZero();
        kiln.ok("rm", ctr);

        assertThat(blob(kiln, oldManifest)).as("the old base's manifest").doesNotExist();
        assertThat(blob(kiln, oldLayer)).as("its layer: the squashed image does not use it").doesNotExist();
        try (var snaps = Files.list(kiln.root().resolve("snapshots"))) {
            assertThat(snaps.toList()).as("its snapshot").isEmpty();
        }
        assertThat(kiln.run("fsck", "--full").code()).isZero();
        assertThat(manifest(kiln, "localhost/app:latest")).isNotEqualTo(oldManifest);
    }

    private static Digest manifest(Cli kiln, String name) {
        try (Store s = Store.open(kiln.root(), StoreOptions.DEFAULT)) {
            return s.images().byName(name).orElseThrow().manifest();
        }
    }

    private static Path blob(Cli kiln, Digest d) {
        return kiln.root().resolve("blobs/sha256").resolve(d.hex());
    }
}

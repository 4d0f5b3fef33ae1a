package dev.kiln.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.linux.Linux;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.testing.Tools;
import dev.kiln.testing.TreeListing;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Applying archives GNU tar made: every attribute survives; whiteouts both ways; every compression. */
@Tag("privileged")
class LayerApplierTest {
    private static final byte[] CAP = {1, 0, 0, 2, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    @TempDir
    Path tmp;

    @BeforeEach
    void needsRoot() {
        Tools.requireRoot();
    }

    private Path fixtureTree() throws Exception {
        Path src = tmp.resolve("src");
        Fixture.at(src)
                .dir("bin", 0755)
                .file("bin/su", "setuid", 04755)
                .file("bin/ping", "caps", 0755)
                .xattr("bin/ping", "security.capability", CAP)
                .fifo("run/fifo", 0644)
                .charDevice("dev/null", 0666, 1, 3)
                .symlink("etc/link", "../bin/su")
                .file("etc/owned", new byte[] {1, 2, 3}, 0640, 3000000, 42)
                .hardlink("bin/su2", "bin/su")
                .file("long/" + "n".repeat(150), "long", 0644)
                .file("ünï cödé/with space", "x", 0644)
                .dir("sticky", 01777);
        return src;
    }

    @Test
    void appliesWhatGnuTarWroteWithEveryAttribute() throws Exception {
        Path src = fixtureTree();
        Path archive = tmp.resolve("a.tar");
        Tools.run("tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-C", src.toString(), "-cf", archive.toString(), ".");
        Path dst = Files.createDirectory(tmp.resolve("dst"));
        try (InputStream in = Files.newInputStream(archive)) {
            LayerApplier.apply(in, dst, LayerApplier.Mode.MERGE, null);
        }
        Map<String, String> want = TreeListing.of(src, Set.of());
        assertThat(TreeListing.of(dst, Set.of())).isEqualTo(want);
        assertThat(Linux.getXattr(dst.resolve("bin/ping"), "security.capability")).isEqualTo(CAP);
        assertThat(Files.getAttribute(dst.resolve("bin/su2"), "unix:ino")).isEqualTo(Files.getAttribute(dst.resolve("bin/su"), "unix:ino"));
        assertThat(Files.getLastModifiedTime(dst.resolve("bin"))).isEqualTo(Files.getLastModifiedTime(src.resolve("bin")));
    }

    @Test
    void ownerOverrideAppliesToEveryEntry() throws Exception {
        Path src = fixtureTree();
        Path archive = tmp.resolve("a.tar");
        Tools.run("tar", "--numeric-owner", "-C", src.toString(), "-cf", archive.toString(), ".");
        Path dst = Files.createDirectory(tmp.resolve("dst"));
        try (InputStream in = Files.newInputStream(archive)) {
            LayerApplier.apply(in, dst, LayerApplier.Mode.MERGE, new LayerApplier.Owner(7, 8));
        }
        assertThat(Files.getAttribute(dst.resolve("etc/owned"), "unix:uid")).isEqualTo(7);
        assertThat(Files.getAttribute(dst.resolve("etc/link"), "unix:gid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).isEqualTo(8);
        assertThat((int) Files.getAttribute(dst.resolve("bin/su"), "unix:mode") & 07777).isEqualTo(04755);
    }

    @Test
    void whiteoutsDeleteInMergeModeAndBecomeOverlayWhiteoutsInOverlayMode() throws Exception {
        byte[] lower = HostileArchives.tar(file("d/old"), file("d/keep"), file("gone"), file("o/older"));
        byte[] upper = HostileArchives.tar(file(".wh.gone"), file("d/.wh.old"), file("o/new"), file("o/.wh..wh..opq"));
        Path merged = Files.createDirectory(tmp.resolve("merged"));
        LayerApplier.apply(new ByteArrayInputStream(lower), merged, LayerApplier.Mode.MERGE, null);
        LayerApplier.apply(new ByteArrayInputStream(upper), merged, LayerApplier.Mode.MERGE, null);
        assertThat(TreeListing.of(merged, Set.of()).keySet()).containsExactly("/d", "/d/keep", "/o", "/o/new");

        Path overlay = Files.createDirectory(tmp.resolve("overlay"));
        LayerApplier.apply(new ByteArrayInputStream(upper), overlay, LayerApplier.Mode.OVERLAY, null);
        assertThat(TreeListing.describe(overlay.resolve("gone"))).startsWith("chr 0 0:0 rdev=0");
        assertThat(TreeListing.describe(overlay.resolve("d/old"))).startsWith("chr 0 0:0 rdev=0");
        assertThat(Linux.getXattr(overlay.resolve("o"), Whiteouts.OVERLAY_OPAQUE_XATTR)).isEqualTo("y".getBytes());
        assertThat(overlay.resolve("o/new")).isRegularFile();
    }

    private static TarEntry file(String name) {
        return new TarEntry(name, TarEntry.Type.FILE, 0644, 0, 0, "", "", 0, 0, "", 0, 0, Map.of());
    }

    @Test
    void readsEveryCompressionAndRefusesTruncatedStreams() throws Exception {
        Path src = fixtureTree();
        Path archive = tmp.resolve("a.tar");
        Tools.run("tar", "--numeric-owner", "-C", src.toString(), "-cf", archive.toString(), ".");
        for (String[] tool : new String[][] {{"gzip", "GZIP"}, {"zstd", "ZSTD"}, {"bzip2", "BZIP2"}, {"xz", "XZ"}}) {
            Tools.require(tool[0]);
            Path compressed = tmp.resolve("a.tar." + tool[0]);
            Tools.run("sh", "-c", tool[0] + " -c < " + archive + " > " + compressed);
            try (InputStream in = new BufferedInputStream(Files.newInputStream(compressed))) {
                assertThat(Decompressor.detect(in).name()).isEqualTo(tool[1]);
            }
            Path dst = Files.createDirectory(tmp.resolve("dst-" + tool[0]));
            try (InputStream in = Decompressor.decompressing(Files.newInputStream(compressed))) {
                LayerApplier.apply(in, dst, LayerApplier.Mode.MERGE, null);
            }
            assertThat(TreeListing.of(dst, Set.of())).as(tool[0]).isEqualTo(TreeListing.of(src, Set.of()));
            byte[] bytes = Files.readAllBytes(compressed);
            byte[] cut = Arrays.copyOf(bytes, bytes.length / 2);
            Path dst2 = Files.createDirectory(tmp.resolve("cut-" + tool[0]));
            assertThatThrownBy(() -> {
                try (InputStream in = Decompressor.decompressing(new ByteArrayInputStream(cut))) {
                    LayerApplier.apply(in, dst2, LayerApplier.Mode.MERGE, null);
                }
            }).as("truncated " + tool[0]).isInstanceOf(InvalidInputException.class);
        }
    }
}

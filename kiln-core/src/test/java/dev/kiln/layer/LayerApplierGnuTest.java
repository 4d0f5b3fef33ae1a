package dev.kiln.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.layer.LayerApplier.Mode;
import dev.kiln.linux.Linux;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Applies real GNU tar archives and OCI whiteouts. Needs root (chown, mknod, trusted.* xattrs) and GNU tar. */
class LayerApplierGnuTest {
    static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    static final String CAP = "0100000220000000000000000000000000000000";
    static final String LONG_DIR = "d".repeat(120), LONG_FILE = "f".repeat(120), UNICODE = "héllo-日本.txt";

    @TempDir Path tmp;

    @BeforeEach
    void needsRoot() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root: chown, mknod, trusted.* xattrs");
    }

    /** posix: PAX headers, xattrs, fractional mtime; gnu: 'L' long names and base-256 uid, no xattrs. */
    @ParameterizedTest
    @ValueSource(strings = {"posix", "gnu"})
    void appliesGnuTarFixtureWithEveryAttribute(String format) throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src")), root = tmp.resolve("root");
        boolean posix = format.equals("posix");
        sh("cd '" + src + "' && mkdir -p dir/sub && printf hello > dir/file"
                + " && chown 3000000:3000001 dir/file && chmod 4755 dir/file"
                + " && python3 -c \"import os; os.setxattr('dir/file','security.capability',bytes.fromhex('" + CAP
                + "')); os.setxattr('dir/file','user.note',b'hi')\""
                + " && mkfifo fifo && mknod chr c 1 3 && ln -s dir/file link && ln dir/file hard"
                + " && mkdir " + LONG_DIR + " && printf long > " + LONG_DIR + "/" + LONG_FILE
                + " && printf x > '" + UNICODE + "' && chmod 0750 dir/sub"
                + " && touch -h -d @1600000000.5 dir/file dir/sub link"
                + " && tar " + (posix ? "--xattrs --xattrs-include='*' " : "") + "--format=" + format
                + " -cf ../layer.tar .");

        long n;
        try (InputStream in = Files.newInputStream(tmp.resolve("layer.tar"))) {
            n = LayerApplier.apply(in, root, Mode.MERGE, null);
        }

        assertThat(n).isEqualTo(11); // ".", dir, dir/sub, dir/file, fifo, chr, link, hard, long dir + file, unicode
        Path file = root.resolve("dir/file");
        assertThat(file).hasContent("hello");
        assertThat(attr(file, "uid")).isEqualTo(3000000);
        assertThat(attr(file, "gid")).isEqualTo(3000001);
        assertThat((int) attr(file, "mode") & 07777).isEqualTo(04755);
        long nanos = posix ? 500_000_000L : 0;
        assertThat(Files.getLastModifiedTime(file, NOFOLLOW)).isEqualTo(FileTime.from(java.time.Instant.ofEpochSecond(1600000000, nanos)));
        assertThat(Files.getLastModifiedTime(root.resolve("dir/sub"), NOFOLLOW).toMillis() / 1000).isEqualTo(1600000000);
        assertThat((int) attr(root.resolve("dir/sub"), "mode") & 07777).isEqualTo(0750);
        if (posix) {
            assertThat(HexFormat.of().formatHex(Linux.getXattr(file, "security.capability"))).isEqualTo(CAP);
            assertThat(Linux.getXattr(file, "user.note")).isEqualTo("hi".getBytes());
        }
        assertThat((int) attr(root.resolve("fifo"), "mode") & 0170000).isEqualTo(Linux.S_IFIFO);
        Path chr = root.resolve("chr");
        assertThat((int) attr(chr, "mode") & 0170000).isEqualTo(Linux.S_IFCHR);
        long rdev = (long) attr(chr, "rdev");
        assertThat(Linux.major(rdev)).isEqualTo(1);
        assertThat(Linux.minor(rdev)).isEqualTo(3);
        assertThat(Files.readSymbolicLink(root.resolve("link")).toString()).isEqualTo("dir/file");
        assertThat(attr(root.resolve("hard"), "ino")).isEqualTo(attr(file, "ino"));
        assertThat(root.resolve(LONG_DIR).resolve(LONG_FILE)).hasContent("long");
        assertThat(root.resolve(UNICODE)).hasContent("x");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void whiteoutHidesLowerFileOnly(Mode mode) throws IOException {
        Path root = tmp.resolve("root");
        apply(Tars.tar().file("a/gone", "1").file("a/kept", "2").bytes(), root, mode);
        apply(Tars.tar().file("a/new", "3").file("a/.wh.gone", "").file("a/.wh.new", "").bytes(), root, mode);

        assertThat(root.resolve("a/kept")).hasContent("2");
        assertThat(root.resolve("a/new")).hasContent("3"); // a whiteout never hides its own layer's entry
        Path gone = root.resolve("a/gone");
        if (mode == Mode.MERGE) {
            assertThat(Files.exists(gone, NOFOLLOW)).isFalse();
        } else {
            assertThat((int) attr(gone, "mode") & 0170000).isEqualTo(Linux.S_IFCHR);
            assertThat((long) attr(gone, "rdev")).isZero();
        }
        assertThat(Files.exists(root.resolve("a/.wh.gone"), NOFOLLOW)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void opaqueWhiteoutKeepsEntriesOfItsOwnLayer(Mode mode) throws IOException {
        Path root = tmp.resolve("root");
        apply(Tars.tar().file("d/old", "1").file("d/sub/old", "2").file("keep", "k").bytes(), root, mode);
        // this layer writes before and after its opaque marker, also into a lower subdirectory
        apply(Tars.tar().file("d/before", "b").file("d/sub/mine", "m").file("d/.wh..wh..opq", "")
                .file("d/after", "a").bytes(), root, mode);

        assertThat(root.resolve("d/before")).hasContent("b");
        assertThat(root.resolve("d/after")).hasContent("a");
        assertThat(root.resolve("d/sub/mine")).hasContent("m");
        assertThat(root.resolve("keep")).hasContent("k");
        boolean merged = mode == Mode.MERGE;
        assertThat(Files.exists(root.resolve("d/old"))).isEqualTo(!merged);
        assertThat(Files.exists(root.resolve("d/sub/old"))).isEqualTo(!merged);
        if (!merged) assertThat(Linux.getXattr(root.resolve("d"), Whiteouts.OVERLAY_OPAQUE_XATTR)).isEqualTo("y".getBytes());
        assertThat(Files.exists(root.resolve("d/.wh..wh..opq"), NOFOLLOW)).isFalse();
    }

    @Test
    void replacesDirectoryByFileAndKeepsDirectoryForDirectory() throws IOException {
        Path root = tmp.resolve("root");
        apply(Tars.tar().dir("x", 0755).file("x/child", "c").dir("y", 0755).file("y/child", "c").bytes(), root, Mode.MERGE);
        apply(Tars.tar().file("x", "now a file").dir("y", 0700).bytes(), root, Mode.MERGE);

        assertThat(root.resolve("x")).hasContent("now a file");
        assertThat(root.resolve("y/child")).hasContent("c");
        assertThat((int) attr(root.resolve("y"), "mode") & 07777).isEqualTo(0700);
    }

    @Test
    void ownerOverridesArchiveIdsAndOverlayXattrsFromTheArchiveAreSkipped() throws IOException {
        Path root = tmp.resolve("root");
        var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("f");
        e.setSize(1);
        e.addPaxHeader("SCHILY.xattr.trusted.overlay.opaque", "y");
        e.addPaxHeader("SCHILY.xattr.user.ok", "1");
        apply(Tars.tar().put(e, new byte[] {'z'}).bytes(), root, Mode.OVERLAY, new LayerApplier.Owner(1234, 5678));

        assertThat(attr(root.resolve("f"), "uid")).isEqualTo(1234);
        assertThat(attr(root.resolve("f"), "gid")).isEqualTo(5678);
        assertThat(Linux.getXattr(root.resolve("f"), "trusted.overlay.opaque")).isNull();
        assertThat(Linux.getXattr(root.resolve("f"), "user.ok")).isEqualTo("1".getBytes());
    }

    private static void apply(byte[] tar, Path root, Mode mode) throws IOException {
        apply(tar, root, mode, null);
    }

    private static void apply(byte[] tar, Path root, Mode mode, LayerApplier.Owner owner) throws IOException {
        LayerApplier.apply(new ByteArrayInputStream(tar), root, mode, owner);
    }

    private static Object attr(Path p, String name) throws IOException {
        return Files.getAttribute(p, "unix:" + name, NOFOLLOW);
    }

    static void sh(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }
}

package dev.kiln.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.kiln.linux.Linux;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real overlay mounts: changes made through the merged directory, then read from the upper. */
class OverlayLayerTest {
    @TempDir Path tmp;
    Path lower, upper;

    @BeforeEach
    void changeThroughOverlay() throws Exception {
        assumeThat(Cmd.isRoot()).as("mounting overlayfs needs root").isTrue();
        lower = tmp.resolve("lower");
        upper = Files.createDirectory(tmp.resolve("upper"));
        Path work = Files.createDirectory(tmp.resolve("work"));
        Path merged = Files.createDirectory(tmp.resolve("merged"));
        Fixture.at(lower)
                .file("etc/a", "a", 0644).file("etc/b", "b", 0644).file("etc/keep", "k", 0644)
                .file("dir/x", "x", 0644).file("dir/sub/y", "y", 0644)
                .file("gone/z", "z", 0644).file("gone/deep/w", "w", 0644)
                .file("repl/f", "f", 0644)
                .file("opt/o", "o", 0644)
                .file("chm", "c", 0644);
        // mount(8), not Linux.mountOverlay: Linux.mount throws WrongMethodTypeException (its ternary
        // argument makes invokeExact see Object); the store works around it the same way
        Cmd.run(tmp, "mount", "-t", "overlay", "overlay", "-o",
                "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work, merged.toString());
        try {
            Files.writeString(merged.resolve("etc/a"), "+", StandardOpenOption.APPEND);
            Fixture.at(merged).file("etc/new", "new", 0644).file("dir2/f", "f", 0644);
            Files.delete(merged.resolve("etc/b"));
            Cmd.run(merged, "rm", "-rf", "gone", "dir", "repl");
            Fixture.at(merged).dir("dir", 0755).file("dir/n", "n", 0644).file("repl", "now a file", 0644);
            Linux.chmod(merged.resolve("chm"), 0600);
            Linux.chmod(merged.resolve("dir2"), 0755);
        } finally {
            Linux.umount(merged, 0);
        }
        for (String d : List.of("dir", "dir2", "etc")) Fixture.at(upper).mtime(d, Fixture.MTIME);
    }

    @Test
    void upperBecomesEntriesAndOciWhiteouts() throws Exception {
        Path tar = tmp.resolve("layer.tar");
        try (OutputStream out = Files.newOutputStream(tar)) {
            LayerWriter.writeOverlayUpper(upper, out, new LayerOptions(0L));
        }
        assertThat(TarListing.of(tar)).containsExactly(
                "---------- 0/0 0 .wh.gone",
                "-rw------- 0/0 1 chm",
                "drwxr-xr-x 0/0 0 dir/",
                "-rwxr-xr-x 0/0 0 dir/.wh..wh..opq",
                "-rw-r--r-- 0/0 1 dir/n",
                "drwxr-xr-x 0/0 0 dir2/",
                "-rw-r--r-- 0/0 1 dir2/f",
                "drwxr-xr-x 0/0 0 etc/",
                "---------- 0/0 0 etc/.wh.b",
                "-rw-r--r-- 0/0 2 etc/a",
                "-rw-r--r-- 0/0 3 etc/new",
                "-rw-r--r-- 0/0 10 repl");
        String xattrs = Cmd.run(tmp, "tar", "--xattrs", "-tvvf", tar.toString());
        assertThat(xattrs).doesNotContain("trusted.overlay");
    }

    @Test
    void upperListsChangesAsPodmanDiff() throws Exception {
        assertThat(Changes.ofOverlayUpper(upper, List.of(lower))).extracting(Change::toString).containsExactly(
                "C /chm", "C /dir", "A /dir/n", "A /dir2", "A /dir2/f", "C /etc/a", "D /etc/b", "A /etc/new",
                "D /gone", "C /repl");
    }

    @Test
    void theMergedViewOfSeveralLowersDecides() throws Exception {
        Path bottom = tmp.resolve("bottom"), top = tmp.resolve("top"), up = tmp.resolve("up");
        Fixture.at(bottom).file("p/q", "q", 0644).file("o/hidden", "h", 0644).file("s/t", "t", 0644)
                .file("f", "file", 0644);
        Fixture.at(top).charDevice("p", 0, 0, 0).dir("o", 0755).xattr("o", "trusted.overlay.opaque", "y".getBytes())
                .dir("s", 0755);
        Fixture.at(up).dir("p", 0755).file("p/q", "q", 0644).dir("o", 0755).file("o/hidden", "h", 0644)
                .dir("s", 0755).file("s/t", "t2", 0644).file("f/under-a-file", "x", 0644);
        assertThat(Changes.ofOverlayUpper(up, List.of(top, bottom))).extracting(Change::toString).containsExactly(
                "C /f", "A /f/under-a-file", "A /o/hidden", "A /p", "A /p/q", "C /s/t");
    }
}

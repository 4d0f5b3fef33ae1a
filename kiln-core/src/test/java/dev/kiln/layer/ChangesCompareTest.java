package dev.kiln.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.kiln.linux.Linux;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The copy driver's view: two full trees, the second a {@code cp -a} of the first, then changed. */
class ChangesCompareTest {
    @TempDir Path tmp;

    @Test
    void listsWhatChangedAsPodmanDiff() throws Exception {
        assumeThat(Cmd.isRoot()).as("owners and device nodes need root").isTrue();
        Path lower = tmp.resolve("lower"), upper = tmp.resolve("upper");
        Fixture.at(lower)
                .file("same", "same", 0644)
                .file("touched", "touched", 0644)
                .file("rewritten", "aaaa", 0644)
                .file("grown", "g", 0644)
                .file("owned", "o", 0644)
                .file("attr", "x", 0644)
                .symlink("link", "target-a")
                .dir("mode", 0755).file("mode/kept", "k", 0644)
                .file("gone/deep/file", "g", 0644)
                .file("dir2file/child", "c", 0644)
                .file("file2dir", "f", 0644)
                .charDevice("null", 0666, 1, 3);
        Cmd.run(tmp, "cp", "-a", lower.toString(), upper.toString());

        Linux.lutimes(upper.resolve("touched"), 1, 0, 1, 0);           // mtime only: content equal
        Files.writeString(upper.resolve("rewritten"), "bbbb");           // same size, new mtime
        Files.writeString(upper.resolve("grown"), "gg");
        Linux.lchown(upper.resolve("owned"), 1000, 1000);
        Linux.setXattr(upper.resolve("attr"), "user.k", new byte[] {0, 1, 2});
        Files.delete(upper.resolve("link"));
        Files.createSymbolicLink(upper.resolve("link"), Path.of("target-b"));
        Linux.chmod(upper.resolve("mode"), 0700);
        Cmd.run(upper, "rm", "-rf", "gone", "dir2file", "file2dir", "null");
        Fixture.at(upper).file("dir2file", "now a file", 0644).file("file2dir/inner", "i", 0644)
                .file("new/a/b", "b", 0644).charDevice("null", 0666, 1, 5);

        List<Change> changes = Changes.compare(lower, upper);
        assertThat(changes).extracting(Change::toString).containsExactly(
                "C /attr", "C /dir2file", "C /file2dir", "A /file2dir/inner", "D /gone", "C /grown", "C /link",
                "C /mode", "A /new", "A /new/a", "A /new/a/b", "C /null", "C /owned", "C /rewritten");

        // the same changes as a layer: entries read from the new tree, whiteouts for deletions
        var out = new ByteArrayOutputStream();
        LayerWriter.writeChanges(upper, changes, out, new LayerOptions(0L));
        Path tar = Files.write(tmp.resolve("c.tar"), out.toByteArray());
        assertThat(TarListing.of(tar)).extracting(l -> l.split(" ", 4)[3]).containsExactly(
                ".wh.gone", "attr", "dir2file", "file2dir/", "file2dir/inner", "grown", "link -> target-b", "mode/", "new/",
                "new/a/", "new/a/b", "null", "owned", "rewritten");
    }

    @Test
    void identicalCopiesHaveNoChanges() throws Exception {
        Path lower = tmp.resolve("lower"), upper = tmp.resolve("upper");
        Fixture.at(lower).file("a/b/c", "c", 0644).symlink("a/l", "b").file("x", "x", 0755);
        Cmd.run(tmp, "cp", "-a", lower.toString(), upper.toString());
        assertThat(Changes.compare(lower, upper)).isEmpty();
    }
}

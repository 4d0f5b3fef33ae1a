package dev.kiln.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.kiln.linux.Linux;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerWriterTest {
    private static final String LONG = "n".repeat(150);

    @TempDir Path tmp;
    Path root;

    @BeforeEach
    void tree() throws Exception {
        assumeThat(Cmd.isRoot()).as("owners, device nodes and security.* xattrs need root").isTrue();
        root = tmp.resolve("root");
        Fixture.at(root)
                .dir("etc", 0755)
                .file("etc/passwd", "root:x:0:0\n", 0644)
                .file("etc/shadow", "secret".getBytes(), 0640, 0, 42)
                .dir("usr/bin", 0755)
                .file("usr/bin/ping", "ELF".getBytes(), 04755, 0, 0)
                .xattr("usr/bin/ping", "security.capability", Fixture.CAPABILITY)
                .hardlink("usr/bin/ping6", "usr/bin/ping")
                .symlink("usr/bin/sh", "/bin/bash")
                .file("home/app/" + LONG, "long".getBytes(), 0600, 3_000_000, 3_000_000)
                .file("home/app/with space ü", "s", 0644)
                .fifo("run/fifo", 0600)
                .charDevice("dev/null", 0666, 1, 3)
                .dir("tmp", 01777)
                .dir("a-b", 0755).dir("a/b", 0700);
        for (String d : List.of("etc", "usr/bin", "usr", "home/app", "home", "run", "dev", "tmp", "a-b", "a/b", "a")) {
            Fixture.at(root).mtime(d, Fixture.MTIME);
        }
    }

    @Test
    void treeAsGnuTarSeesIt() throws Exception {
        Path tar = tmp.resolve("layer.tar");
        try (OutputStream out = Files.newOutputStream(tar)) {
            LayerWriter.writeTree(root, out, LayerOptions.DEFAULT);
        }
        assertThat(TarListing.of(tar)).containsExactly(
                // byte order of the whole name: "a" < "a-b" < "a/b"
                "drwxr-xr-x 0/0 0 a/",
                "drwxr-xr-x 0/0 0 a-b/",
                "drwx------ 0/0 0 a/b/",
                "drwxr-xr-x 0/0 0 dev/",
                "crw-rw-rw- 0/0 1,3 dev/null",
                "drwxr-xr-x 0/0 0 etc/",
                "-rw-r--r-- 0/0 11 etc/passwd",
                "-rw-r----- 0/42 6 etc/shadow",
                "drwxr-xr-x 0/0 0 home/",
                "drwxr-xr-x 0/0 0 home/app/",
                "-rw------- 3000000/3000000 4 home/app/" + LONG,
                "-rw-r--r-- 0/0 1 home/app/with space ü",
                "drwxr-xr-x 0/0 0 run/",
                "prw------- 0/0 0 run/fifo",
                "drwxrwxrwt 0/0 0 tmp/",
                "drwxr-xr-x 0/0 0 usr/",
                "drwxr-xr-x 0/0 0 usr/bin/",
                "-rwsr-xr-x 0/0 3 usr/bin/ping",
                "hrwsr-xr-x 0/0 0 usr/bin/ping6 link to usr/bin/ping",
                "lrwxrwxrwx 0/0 0 usr/bin/sh -> /bin/bash");
        assertThat(Cmd.run(tmp, "tar", "--full-time", "-tvf", tar.toString())).contains("2023-11-14 22:13:20 etc/passwd");

        Path out = Files.createDirectory(tmp.resolve("x"));
        Cmd.run(out, "tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf", tar.toString());
        assertThat(Linux.getXattr(out.resolve("usr/bin/ping"), "security.capability")).isEqualTo(Fixture.CAPABILITY);
        assertThat(Files.readString(out.resolve("home/app/" + LONG))).isEqualTo("long");
    }

    @Test
    void timestampMakesEveryEntryTheSameTimeAndTheOutputReproducible() throws Exception {
        LayerOptions opts = new LayerOptions(0L);
        byte[] first = tree(opts);
        Linux.lutimes(root.resolve("etc/passwd"), 5, 0, 5, 0);
        assertThat(tree(opts)).isEqualTo(first);
        Path tar = Files.write(tmp.resolve("t.tar"), first);
        assertThat(Cmd.run(tmp, "tar", "--full-time", "-tvf", tar.toString()))
                .doesNotContain("2023-").contains("1970-01-01 00:00:00 etc/passwd");
    }

    @Test
    void sameTreeTwiceGivesTheSameBytes() throws Exception {
        assertThat(tree(LayerOptions.DEFAULT)).isEqualTo(tree(LayerOptions.DEFAULT));
    }

    @Test
    void changesAreWrittenWithTheirParentsAndWhiteouts() throws Exception {
        List<Change> changes = List.of(
                new Change(Change.Kind.DELETED, "/etc/group"),
                new Change(Change.Kind.CHANGED, "/etc/passwd"),
                new Change(Change.Kind.ADDED, "/home/app/with space ü"),
                new Change(Change.Kind.ADDED, "/usr/bin/ping"),
                new Change(Change.Kind.ADDED, "/usr/bin/ping6"),
                new Change(Change.Kind.DELETED, "/var"));
        Path tar = tmp.resolve("c.tar");
        try (OutputStream out = Files.newOutputStream(tar)) {
            LayerWriter.writeChanges(root, changes, out, new LayerOptions(0L));
        }
        assertThat(TarListing.of(tar)).containsExactly(
                "---------- 0/0 0 .wh.var",
                "drwxr-xr-x 0/0 0 etc/",
                "---------- 0/0 0 etc/.wh.group",
                "-rw-r--r-- 0/0 11 etc/passwd",
                "drwxr-xr-x 0/0 0 home/",
                "drwxr-xr-x 0/0 0 home/app/",
                "-rw-r--r-- 0/0 1 home/app/with space ü",
                "drwxr-xr-x 0/0 0 usr/",
                "drwxr-xr-x 0/0 0 usr/bin/",
                "-rwsr-xr-x 0/0 3 usr/bin/ping",
                "hrwsr-xr-x 0/0 0 usr/bin/ping6 link to usr/bin/ping");
    }

    @Test
    void aChangeBelowASymlinkIsRefused() throws Exception {
        Fixture.at(root).symlink("link", "/etc");
        var out = new ByteArrayOutputStream();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LayerWriter.writeChanges(root,
                        List.of(new Change(Change.Kind.ADDED, "/link/passwd")), out, LayerOptions.DEFAULT))
                .hasMessageContaining("/link").hasMessageContaining("not a directory");
    }

    private byte[] tree(LayerOptions opts) throws Exception {
        var out = new ByteArrayOutputStream();
        LayerWriter.writeTree(root, out, opts);
        return out.toByteArray();
    }
}

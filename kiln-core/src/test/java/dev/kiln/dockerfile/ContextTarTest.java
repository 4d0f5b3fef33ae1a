package dev.kiln.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.InvalidInputException;
import dev.kiln.testing.Tools;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tarball and stdin contexts, made with GNU tar (the real thing). */
class ContextTarTest {
    @TempDir Path tmp;

    private Path tree() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("dir/" + "d".repeat(120)));
        Files.writeString(src.resolve("Dockerfile"), "FROM scratch\nCOPY . /\n");
        Files.writeString(src.resolve(".dockerignore"), "*.log\n");
        Files.writeString(src.resolve("dir/a.txt"), "a");
        Files.writeString(src.resolve("dir/" + "d".repeat(120) + "/long-name-ü.txt"), "long");
        Files.writeString(src.resolve("x.log"), "log");
        Files.createSymbolicLink(src.resolve("dir/etc"), Path.of("/etc"));
        Files.createLink(src.resolve("dir/hard"), src.resolve("dir/a.txt"));
        return src;
    }

    @Test
    void gzipTarballContextWithItsIgnoreFile() throws Exception {
        Tools.require("tar");
        Path src = tree();
        Path tgz = tmp.resolve("ctx.tar.gz");
        Tools.run("tar", "-C", src.toString(), "--format=posix", "-czf", tgz.toString(), ".");
        Context c = Context.fromTar(tgz, tmp.resolve("unpacked"));
        c = c.withRules(IgnoreRules.load(c.root(), "Dockerfile"));
        List<String> paths = c.select(List.of("."), List.of(), true).stream().map(ContextFile::path).toList();
        assertThat(paths).containsExactly(".dockerignore", "Dockerfile", "dir", "dir/a.txt", "dir/" + "d".repeat(120),
                "dir/" + "d".repeat(120) + "/long-name-ü.txt", "dir/etc", "dir/hard");
        assertThat(Files.readSymbolicLink(c.root().resolve("dir/etc"))).isEqualTo(Path.of("/etc"));
        assertThat(Files.isSameFile(c.root().resolve("dir/a.txt"), c.root().resolve("dir/hard"))).isTrue();
        assertThat(ContextDigest.of(c.select(List.of("dir"), List.of(), true)))
                .isEqualTo(ContextDigest.of(Context.of(src, IgnoreRules.none()).select(List.of("dir"), List.of(), true)));
    }

    @Test
    void plainTarOnAStreamWithGnuLongNames() throws Exception {
        Tools.require("tar");
        Path src = tree();
        Path tar = tmp.resolve("ctx.tar");
        Tools.run("tar", "-C", src.toString(), "--format=gnu", "-cf", tar.toString(), ".");
        try (InputStream in = Files.newInputStream(tar)) {
            Context c = Context.fromStream(in, tmp.resolve("stdin"));
            assertThat(Files.readString(c.root().resolve("dir/" + "d".repeat(120) + "/long-name-ü.txt"))).isEqualTo("long");
        }
    }

    @Test
    void entriesClimbingOutStayInside() throws Exception {
        Tools.require("tar");
        Path evil = tmp.resolve("evil");
        Files.createDirectories(evil);
        Files.writeString(evil.resolve("x"), "pwned");
        Path tar = tmp.resolve("evil.tar");
        Tools.run("tar", "-C", evil.toString(), "--transform", "s|^x|../../escaped|", "-P", "-cf", tar.toString(), "x");
        Context c = Context.fromTar(tar, tmp.resolve("out/ctx"));
        assertThat(Files.exists(tmp.resolve("escaped"))).isFalse();
        assertThat(Files.exists(tmp.resolve("out/escaped"))).isFalse();
        assertThat(Files.readString(c.root().resolve("escaped"))).isEqualTo("pwned");
    }

    @Test
    void otherCompressionsAndGarbageAreClearErrors() {
        byte[] zstd = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0, 0};
        assertThatThrownBy(() -> Context.fromStream(new ByteArrayInputStream(zstd), tmp.resolve("z")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("zstd");
        byte[] garbage = new byte[1024];
        garbage[0] = 'x';
        assertThatThrownBy(() -> Context.fromStream(new ByteArrayInputStream(garbage), tmp.resolve("g")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("not a tar archive");
    }
}

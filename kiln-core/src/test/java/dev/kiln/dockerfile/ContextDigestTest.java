package dev.kiln.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextDigestTest {
    @TempDir Path ctx;
    private Context context;

    @BeforeEach
    void files() throws Exception {
        Files.createDirectories(ctx.resolve("app/sub"));
        Files.writeString(ctx.resolve("app/main.py"), "print('hi')\n");
        Files.writeString(ctx.resolve("app/sub/data.txt"), "data\n");
        Files.createSymbolicLink(ctx.resolve("app/link"), Path.of("main.py"));
        context = Context.of(ctx, IgnoreRules.none());
    }

    private Digest digest() {
        return ContextDigest.of(context.select(List.of("app"), List.of(), true));
    }

    @Test
    void sameTreeSameDigestAndMtimesDoNotCount() throws Exception {
        Digest before = digest();
        assertThat(digest()).isEqualTo(before);
        Files.setLastModifiedTime(ctx.resolve("app/main.py"), FileTime.fromMillis(0));
        Files.setLastModifiedTime(ctx.resolve("app/sub"), FileTime.fromMillis(0));
        assertThat(digest()).isEqualTo(before);
    }

    @Test
    void contentChangeChangesTheDigest() throws Exception {
        Digest before = digest();
        Files.writeString(ctx.resolve("app/sub/data.txt"), "DATA\n");
        assertThat(digest()).isNotEqualTo(before);
    }

    @Test
    void modeChangeChangesTheDigest() throws Exception {
        Digest before = digest();
        Files.setPosixFilePermissions(ctx.resolve("app/main.py"), PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(digest()).isNotEqualTo(before);
    }

    @Test
    void linkTargetAndNewFilesChangeTheDigest() throws Exception {
        Digest before = digest();
        Files.delete(ctx.resolve("app/link"));
        Files.createSymbolicLink(ctx.resolve("app/link"), Path.of("sub/data.txt"));
        Digest relinked = digest();
        assertThat(relinked).isNotEqualTo(before);
        Files.writeString(ctx.resolve("app/new"), "");
        assertThat(digest()).isNotEqualTo(relinked);
    }

    @Test
    void statCacheReadsUnchangedFilesOnce() throws Exception {
        digest();
        assertThat(context.contentReads()).isEqualTo(2);
        digest();
        digest();
        assertThat(context.contentReads()).as("unchanged files are not read again").isEqualTo(2);
        Files.writeString(ctx.resolve("app/main.py"), "print('changed')\n");
        digest();
        assertThat(context.contentReads()).as("only the changed file is read").isEqualTo(3);
        Files.setLastModifiedTime(ctx.resolve("app/sub/data.txt"), FileTime.fromMillis(1000));
        digest();
        assertThat(context.contentReads()).as("a touched file is re-read (stat changed)").isEqualTo(4);
    }

    @Test
    void metaKeyHasNoTimes() throws Exception {
        ContextFile f = context.select(List.of("app/main.py"), List.of(), true).getFirst();
        assertThat(f.metaKey()).isEqualTo(new ContextFile.MetaKey("main.py", ContextFile.Type.FILE, f.mode(), 12, ""));
    }
}

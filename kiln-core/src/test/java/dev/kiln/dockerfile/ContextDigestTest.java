package dev.kiln.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    void digestsAreRememberedFromTheLastBuildOfTheSameDirectory() throws Exception {
        MapMemory digests = new MapMemory();
        Context first = Context.of(ctx, IgnoreRules.none(), digests);
        Digest before = ContextDigest.of(first.select(List.of("app"), List.of(), true));
        assertThat(first.contentReads()).isEqualTo(2);
        first.saveDigests();
        assertThat(digests.kept.keySet()).as("kept under the SHA-256 of the context's real path")
                .containsExactly(Digest.sha256(ctx.toRealPath().toString().getBytes(StandardCharsets.UTF_8)));

        Context second = Context.of(ctx, IgnoreRules.none(), digests);
        assertThat(ContextDigest.of(second.select(List.of("app"), List.of(), true))).isEqualTo(before);
        assertThat(second.contentReads()).as("nothing changed: nothing read").isZero();

        // Rewritten in place with the same size and its mtime put back: the ctime still tells.
        Path main = ctx.resolve("app/main.py");
        FileTime mtime = Files.getLastModifiedTime(main);
        Thread.sleep(20);
        Files.writeString(main, "print('HI')\n");
        Files.setLastModifiedTime(main, mtime);
        Context third = Context.of(ctx, IgnoreRules.none(), digests);
        assertThat(ContextDigest.of(third.select(List.of("app"), List.of(), true))).isNotEqualTo(before);
        assertThat(third.contentReads()).isEqualTo(1);

        // The saved file holds what the last build used, nothing older.
        third.saveDigests();
        Context onlyMain = Context.of(ctx, IgnoreRules.none(), digests);
        onlyMain.select(List.of("app/main.py"), List.of(), true).forEach(ContextFile::digest);
        assertThat(onlyMain.contentReads()).isZero();
        onlyMain.saveDigests();
        Context fourth = Context.of(ctx, IgnoreRules.none(), digests);
        fourth.select(List.of("app"), List.of(), true).forEach(ContextFile::digest);
        assertThat(fourth.contentReads()).as("data.txt is forgotten: the build before did not use it").isEqualTo(1);
        Context otherDir = Context.of(ctx.resolve("app"), IgnoreRules.none(), digests);
        otherDir.select(List.of("main.py"), List.of(), true).forEach(ContextFile::digest);
        assertThat(otherDir.contentReads()).as("another directory has its own memory").isEqualTo(1);
    }

    @Test
    void aDamagedDigestsFileIsNotTrusted() throws Exception {
        MapMemory digests = new MapMemory();
        Context first = Context.of(ctx, IgnoreRules.none(), digests);
        Digest before = ContextDigest.of(first.select(List.of("app"), List.of(), true));
        first.saveDigests();
        Digest saved = digests.kept.keySet().iterator().next();
        for (String damage : List.of("", "kiln context digests v1\nnot a line\n", "something else\n")) {
            digests.kept.put(saved, damage.getBytes(StandardCharsets.UTF_8));
            Context c = Context.of(ctx, IgnoreRules.none(), digests);
            assertThat(ContextDigest.of(c.select(List.of("app"), List.of(), true))).isEqualTo(before);
            assertThat(c.contentReads()).as("damaged: %s", damage).isEqualTo(2);
        }
    }

    /** The memory a build gives (the store's build cache), as a map: the format's logic alone. */
    private static final class MapMemory implements Context.DigestMemory {
        final Map<Digest, byte[]> kept = new HashMap<>();

        @Override
        public byte[] read(Digest pathKey) {
            return kept.get(pathKey);
        }

        @Override
        public void write(Digest pathKey, byte[] bytes) {
            kept.put(pathKey, bytes);
        }
    }

    @Test
    void metaKeyHasNoTimes() throws Exception {
        ContextFile f = context.select(List.of("app/main.py"), List.of(), true).getFirst();
        assertThat(f.metaKey()).isEqualTo(new ContextFile.MetaKey("main.py", ContextFile.Type.FILE, f.mode(), 12, ""));
    }
}

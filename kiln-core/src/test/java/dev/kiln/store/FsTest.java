package dev.kiln.store;

import dev.kiln.linux.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FsTest {
    @TempDir
    Path dir;

    @Test
    void deleteTreeStopsAtAMountPoint() throws Exception {
        Path lower = dir.resolve("snapshot"), c = dir.resolve("container");
        Fixtures.write(lower.resolve("precious"), "keep");
        for (String d : List.of("upper", "work", "merged")) Files.createDirectories(c.resolve(d));
        OverlayMount.mount(List.of(lower), c.resolve("upper"), c.resolve("work"), c.resolve("merged"));
        try {
            assertThatThrownBy(() -> Fs.deleteTree(c)).isInstanceOf(IOException.class).hasMessageContaining("mounted");
            assertThat(lower.resolve("precious")).exists();
        } finally {
            Linux.umount(c.resolve("merged"), 0);
        }
        Fs.deleteTree(c);
        assertThat(c).doesNotExist();
    }

    @Test
    void writeIfAbsentNeverReplaces() throws Exception {
        Path f = dir.resolve("f");
        assertThat(Fs.writeIfAbsent(f, new byte[]{1})).isTrue();
        assertThat(Fs.writeIfAbsent(f, new byte[]{2})).isFalse();
        assertThat(Files.readAllBytes(f)).containsExactly(1);
        assertThat(dir.toFile().list()).containsExactly("f");
    }
}

package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** commit --timestamp: identical input gives bit-for-bit identical layers, config and manifest. */
@Tag("privileged")
class ReproducibleCommitTest {
    @TempDir
    Path tmp;

    private CommitResult build(Path store, String driver, String format, Instant fileTime) throws Exception {
        Path file = Files.writeString(tmp.resolve("conf-" + fileTime.getEpochSecond()), "same content\n");
        Files.setLastModifiedTime(file, FileTime.from(fileTime));
        try (Kiln kiln = Kiln.open(new KilnOptions(store, driver))) {
            WorkingContainer ctr = kiln.from("scratch", null);
            ctr.add(List.of(Fixtures.busyboxRootfsTar().toString()), "/", CopyOptions.add());
            ctr.add(List.of(file.toString()), "/etc/app.conf", CopyOptions.copy());
            ctr.config(SeedWorkflowTest.change(c -> c.cmd = "cat /etc/app.conf"));
            return ctr.commit("app", new CommitOptions(false, format, 1700000000L, null, false, null));
        }
    }

    @ParameterizedTest
    @CsvSource({"overlay,oci", "vfs,oci", "overlay,docker"})
    void sameInputAndTimestampGiveTheSameImage(String driver, String format) throws Exception {
        Tools.requireRoot();
        CommitResult a = build(tmp.resolve("a"), driver, format, Instant.ofEpochSecond(1000));
        Thread.sleep(1100); // a different wall clock and different file mtimes must not matter
        CommitResult b = build(tmp.resolve("b"), driver, format, Instant.ofEpochSecond(2000));
        assertThat(b.manifest()).isEqualTo(a.manifest());
        assertThat(b.imageId()).isEqualTo(a.imageId());
        assertThat(Files.readAllBytes(tmp.resolve("b/blobs/sha256/" + b.manifest().hex())))
                .isEqualTo(Files.readAllBytes(tmp.resolve("a/blobs/sha256/" + a.manifest().hex())));
    }
}

package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layers are streamed: a 2 GiB change commits in a JVM limited to 256 MB of heap. */
@Tag("slow")
@Tag("privileged")
class LargeCommitTest {
    private static final long SIZE = 2L << 30;

    @TempDir
    Path tmp;

    private String kiln(Path store, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Fixtures.repoRoot().resolve("kiln").toString(), "--root", store.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("KILN_JAVA_OPTS", "-Xmx256m");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("kiln " + String.join(" ", args)).isZero();
        return out;
    }

    @Test
    void twoGigabytesCommitWithA256MegabyteHeap() throws Exception {
        Tools.requireRoot();
        Path store = tmp.resolve("store");
        String ctr = kiln(store, "from", "scratch");
        Path mnt = Path.of(kiln(store, "mount", ctr));
        try (RandomAccessFile f = new RandomAccessFile(mnt.resolve("big").toFile(), "rw")) {
            f.setLength(SIZE); // sparse: reads as zeros, costs no disk until committed
        }
        kiln(store, "umount", ctr);
        String id = kiln(store, "commit", ctr, "big");
        assertThat(id).matches("[0-9a-f]{64}");
        long largest;
        try (Stream<Path> blobs = Files.list(store.resolve("blobs/sha256"))) {
            largest = blobs.mapToLong(p -> p.toFile().length()).max().orElse(0);
        }
        assertThat(largest).as("the layer blob holds the whole file").isGreaterThan(SIZE);
    }
}

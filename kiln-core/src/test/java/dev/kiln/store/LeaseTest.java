package dev.kiln.store;

import dev.kiln.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Leases: what another open store holds survives gc, whatever its age; what a dead process left
 * goes at once; a failed operation's discard removes only what no one else uses. Two Store
 * instances on one root stand for two processes (each has its own lease, as a process would).
 */
class LeaseTest {
    @TempDir
    Path dir;

    private static Digest agedBlob(Store s, String content) throws Exception {
        Digest d = s.blobs().put(content.getBytes(StandardCharsets.UTF_8));
        Files.setLastModifiedTime(s.blobs().path(d), FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        return d;
    }

    @Test
    void anotherProcesssHoldsSurviveGcUntilItCloses() throws Exception {
        Path root = dir.resolve("store");
        Store gcer = Store.open(root, new StoreOptions("vfs"));
        Digest held;
        try (Store writer = Store.open(root, StoreOptions.DEFAULT)) {
            held = agedBlob(writer, "about to be named");
            Digest adopted = agedBlob(gcer, "garbage someone adopts");
            assertThat(writer.blobs().adopt(adopted)).isTrue();
            Digest garbage = agedBlob(gcer, "garbage");

            GcResult r = gcer.gc(Duration.ZERO);

            assertThat(gcer.blobs().has(held)).isTrue();
            assertThat(gcer.blobs().has(adopted)).isTrue();
            assertThat(gcer.blobs().has(garbage)).isFalse();
            assertThat(r.blobs()).isEqualTo(1);
        }
        gcer.gc(Duration.ZERO);
        assertThat(gcer.blobs().has(held)).as("unheld once the writer closed").isFalse();
        gcer.close();
        assertThat(root.resolve("leases").toFile().list()).isEmpty();
        assertThat(root.resolve("tmp").toFile().list()).isEmpty();
    }

    @Test
    void aDeadProcesssScratchAndLeaseGoAtOnceALiveOnesStay() throws Exception {
        Path root = dir.resolve("store");
        Store s = Store.open(root, new StoreOptions("vfs"));
        // what a SIGKILLed kiln leaves: its lease file, unlocked, and a fresh half-written ingest file
        String dead = "0123456789abcdef";
        Files.writeString(root.resolve("leases/" + dead + ".lock"), "");
        Files.writeString(root.resolve("leases/" + dead + ".holds"), "sha256:" + "ab".repeat(32) + "\n");
        Path half = Files.createDirectories(root.resolve("tmp/" + dead)).resolve("ingest-1234");
        Files.write(half, new byte[4096]);
        try (Store live = Store.open(root, StoreOptions.DEFAULT)) {
            Path liveScratch = Files.createDirectories(live.tmpDir().resolve("snapshot-5678/fs"));

            GcResult r = s.gc(); // the default 10-minute grace: only the owner's death makes these leftovers

            assertThat(root.resolve("tmp/" + dead)).doesNotExist();
            assertThat(root.resolve("leases/" + dead + ".lock")).doesNotExist();
            assertThat(root.resolve("leases/" + dead + ".holds")).doesNotExist();
            assertThat(liveScratch).isDirectory();
            assertThat(r.tmpEntries()).isEqualTo(1);
            assertThat(s.check(false).leftovers()).isEmpty();
        }
    }

    @Test
    void fsckNamesADeadProcesssLeftoversAndRepairRemovesThem() throws Exception {
        Path root = dir.resolve("store");
        Store s = Store.open(root, new StoreOptions("vfs"));
        String dead = "fedcba9876543210";
        Files.writeString(root.resolve("leases/" + dead + ".lock"), "");
        Files.createDirectories(root.resolve("tmp/" + dead + "/snapshot-00/fs"));

        StoreCheck check = s.check(false);

        assertThat(check.sound()).isTrue();
        assertThat(check.leftovers()).extracting(StoreProblem::toString)
                .containsExactly("tmp/" + dead + ": left by a kiln process that died (lease " + dead + ")");
        assertThat(s.repair(check)).contains("leftovers: deleted 1");
        assertThat(root.resolve("tmp/" + dead)).doesNotExist();
        assertThat(s.check(false).problems()).isEmpty();
    }

    @Test
    void discardRemovesOnlyWhatNoOneElseUses() throws Exception {
        Path root = dir.resolve("store");
        try (Store failing = Store.open(root, new StoreOptions("vfs")); Store other = Store.open(root, StoreOptions.DEFAULT)) {
            Digest shared = failing.blobs().put("a layer both pulls fetch".getBytes(StandardCharsets.UTF_8));
            assertThat(other.blobs().adopt(shared)).isTrue();
            Digest own = failing.blobs().put("only the failing pull's".getBytes(StandardCharsets.UTF_8));
            LayerRef named = GcTest.fakeLayer(failing, "named");
            Digest image = Fixtures.image(failing, "localhost/kept:1", List.of(named));

            failing.discard(List.of(shared, own, named.blob(), image));

            assertThat(failing.blobs().has(shared)).as("held by the other").isTrue();
            assertThat(failing.blobs().has(own)).isFalse();
            assertThat(failing.blobs().has(named.blob())).as("referenced").isTrue();
            assertThat(failing.blobs().has(image)).as("named").isTrue();
        }
    }
}

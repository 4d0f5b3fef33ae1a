package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.registry.TestRegistry;
import dev.kiln.testing.Tools;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 6: the store on a small tmpfs the test mounts. commit, pull and build that run
 * out of space fail with one line naming the store and the space needed, and leave the store as
 * it was (every path and size). Each kind is tried at free-space levels around what it needs
 * (a filler file outside the store sets the level), so the failure lands on each write in turn:
 * the layer, the config, the manifest, index.json; any level may also succeed, and then the
 * result must be sound. The {@code long} run walks the levels page by page.
 */
@Tag("privileged")
class FullDiskTest {
    private static final int FS_MIB = 40;
    private static final int BIG = 6 << 20;

    @TempDir
    Path dir;
    Path fs;
    Path filler;
    Cli kiln;
    final List<String> outcomes = new ArrayList<>();

    @BeforeEach
    void mountSmallFilesystem() throws Exception {
        Tools.requireRoot();
        fs = Files.createDirectories(dir.resolve("fs"));
        Tools.run("mount", "-t", "tmpfs", "-o", "size=" + FS_MIB + "m", "tmpfs", fs.toString());
        filler = fs.resolve("filler");
        kiln = new Cli(fs.resolve("store"));
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(ctx.resolve("small"), "small\n");
        kiln.ok("from", "--name", "b", "scratch");
        kiln.ok("copy", "--contextdir", ctx.toString(), "b", "small", "/");
        kiln.ok("commit", "--rm", "b", "base");
        kiln.ok("rm", kiln.ok("from", "base")); // the base's snapshot exists before anything is measured
        kiln.ok("gc");
    }

    @AfterEach
    void unmount() throws Exception {
        if (kiln != null) kiln.run("rm", "--all");
        if (fs != null) Tools.exec(null, List.of("umount", fs.toString()));
        if (!outcomes.isEmpty()) {
            Path report = Files.createDirectories(CrashHarness.reportDir()).resolve("full-disk.txt");
            Files.write(report, outcomes, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
    }

    @Test
    void commitPullAndBuildOutOfSpaceFailCleanly() throws Exception {
        sweep("commit", 12, 96 << 10);
        sweep("pull", 8, 128 << 10);
        sweep("build", 8, 160 << 10);
    }

    @Test
    void aBuildWhoseCopyDoesNotFitNamesTheLineAndTheStore() throws Exception {
        Attempt build = buildAttempt();
        setFree(BIG / 2);
        Map<String, String> before = kiln.storeListing();
        Cli.Result r = build.run();
        removeFiller();
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString().startsWith("kiln: Dockerfile:2: COPY big /big: ")
                .contains("no space left on the filesystem of store " + kiln.root(), "the build needs more than");
        assertThat(kiln.storeListing()).isEqualTo(before);
        outcomes.add("build (COPY): " + r.err().strip());
    }

    @Test
    @Tag("long")
    void everyPageAroundTheLimit() throws Exception {
        sweep("commit", 400, 4 << 10);
        sweep("pull", 200, 8 << 10);
        sweep("build", 200, 8 << 10);
    }

    /** Tries {@code kind} at {@code levels} free-space levels {@code step} apart, from well below what it needs to above. */
    private void sweep(String kind, int levels, int step) throws Exception {
        Attempt attempt = switch (kind) {
            case "commit" -> commitAttempt();
            case "pull" -> pullAttempt();
            case "build" -> buildAttempt();
            default -> throw new IllegalArgumentException(kind);
        };
        long needs = attempt.needs();
        int failed = 0, succeeded = 0;
        for (int i = 0; i < levels; i++) {
            long free = needs - (long) step * (levels / 2) + (long) step * i;
            setFree(free);
            Map<String, String> before = kiln.storeListing();
            Cli.Result r = attempt.run();
            if (r.code() == 0) {
                succeeded++;
                removeFiller();
                attempt.undo();
                assertThat(kiln.run("fsck").code()).isZero();
                continue;
            }
            failed++;
            assertThat(r.errLines()).as(kind + " at " + free + " bytes free: " + r).hasSize(1);
            assertThat(r.err()).as(kind + " at " + free + " bytes free")
                    .contains("no space left on the filesystem of store " + kiln.root(), " MiB", " free")
                    .containsAnyOf(" needs about ", " needs more than ");
            removeFiller();
            assertThat(kiln.storeListing()).as(kind + " at " + free + " bytes free leaves the store as it was").isEqualTo(before);
            if (i == 0) outcomes.add(kind + ": " + r.err().strip());
        }
        removeFiller();
        assertThat(failed).as(kind + ": the lowest levels must fail").isPositive();
        assertThat(succeeded).as(kind + ": the highest levels must succeed").isPositive();
        outcomes.add(String.format("%s: %d free-space levels %d bytes apart around %d bytes needed: %d failed cleanly, %d succeeded",
                kind, levels, step, needs, failed, succeeded));
    }

    interface Attempt {
        /** About what the command needs beyond what is there (the sweep centres on it). */
        long needs();

        Cli.Result run() throws Exception;

        /** Puts the store back as it was before a successful run. */
        void undo() throws Exception;
    }

    private Attempt commitAttempt() throws Exception {
        Path ctx = randomFile("commit-ctx", BIG);
        kiln.ok("from", "--name", "c", "base");
        kiln.ok("copy", "--contextdir", ctx.toString(), "c", "big", "/");
        return new Attempt() {
            public long needs() {
                return BIG;
            }

            public Cli.Result run() {
                return kiln.run("commit", "c", "committed");
            }

            public void undo() {
                kiln.ok("rmi", "committed");
            }
        };
    }

    private Attempt pullAttempt() throws Exception {
        TestRegistry registry = TestRegistry.start(dir.resolve("registry"), TestRegistry.Config.plain());
        closeLater(registry);
        Path ctx = randomFile("pull-ctx", BIG);
        String ref = registry.host() + "/full/disk:1";
        kiln.ok("from", "--name", "p", "base");
        kiln.ok("copy", "--contextdir", ctx.toString(), "p", "big", "/");
        kiln.ok("commit", "--rm", "--compression-format", "zstd", "p", "to-push");
        kiln.ok("push", "to-push", ref);
        kiln.ok("rmi", "to-push");
        kiln.ok("gc");
        return new Attempt() {
            public long needs() {
                return BIG;
            }

            public Cli.Result run() {
                return kiln.run("pull", ref);
            }

            public void undo() {
                kiln.ok("rmi", ref);
            }
        };
    }

    private Attempt buildAttempt() throws Exception {
        Path ctx = randomFile("build-ctx", BIG);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM base\nCOPY big /big\nCMD [\"/big\"]\n");
        return new Attempt() {
            public long needs() {
                // the copy into the container, then the layer; on vfs the step's snapshot is a copy too
                return (vfs() ? 3L : 2L) * BIG;
            }

            public Cli.Result run() {
                return kiln.run("build", "-t", "built", ctx.toString());
            }

            public void undo() {
                kiln.ok("rmi", "built");
            }
        };
    }

    private boolean vfs() {
        try {
            return Files.readString(kiln.root().resolve("store.json")).contains("vfs");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Path randomFile(String ctxName, int size) throws IOException {
        Path ctx = Files.createDirectories(dir.resolve(ctxName));
        byte[] bytes = new byte[size];
        new Random(size + ctxName.hashCode()).nextBytes(bytes); // incompressible: zstd keeps the size
        Files.write(ctx.resolve("big"), bytes);
        return ctx;
    }

    /** Leaves about {@code bytes} free on the small filesystem (tmpfs counts whole pages). */
    private void setFree(long bytes) throws IOException {
        removeFiller();
        long free = Files.getFileStore(fs).getUsableSpace();
        long fill = Math.max(0, free - Math.max(0, bytes));
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (long left = fill; left > 0; left -= chunk.length) out.write(chunk, 0, (int) Math.min(chunk.length, left));
        }
    }

    private void removeFiller() throws IOException {
        Files.deleteIfExists(filler);
    }

    private final List<AutoCloseable> closeLater = new ArrayList<>();

    private void closeLater(AutoCloseable c) {
        closeLater.add(c);
    }

    @AfterEach
    void closeRegistries() throws Exception {
        for (AutoCloseable c : closeLater) c.close();
    }
}

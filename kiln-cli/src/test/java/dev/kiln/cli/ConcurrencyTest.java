package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.Digest;
import dev.kiln.oci.Manifest;
import dev.kiln.registry.TestRegistry;
import dev.kiln.store.Store;
import dev.kiln.store.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, items 2 and 3: kiln processes at once on one store. gc runs while others commit and
 * pull; commits and pulls run side by side. No name is lost, index.json stays whole, and fsck
 * --full finds nothing damaged. The first test is the race leases close: a pull that finds a
 * layer already in the store (unreferenced, old: garbage) skips fetching it, and a gc running
 * meanwhile must not delete it before the pull names its image.
 */
@Tag("tools")
class ConcurrencyTest {
    @TempDir
    Path dir;

    @Test
    @Tag("onepass") // a pull does not depend on the storage driver
    void gcDuringAPullDoesNotDeleteALayerThePullFoundInTheStore() throws Exception {
        pullAdoptingGarbageWhileGcRuns(1);
    }

    @Test
    @Tag("long")
    void gcDuringPullsManyTimes() throws Exception {
        pullAdoptingGarbageWhileGcRuns(15);
    }

    @Test
    void commitsPullsAndGcAtOnceLoseNoName() throws Exception {
        commitsPullsAndGc(1, 3);
    }

    @Test
    @Tag("long")
    void commitsPullsAndGcAtOnceManyTimes() throws Exception {
        commitsPullsAndGc(10, 6);
    }

    private void pullAdoptingGarbageWhileGcRuns(int rounds) throws Exception {
        try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"), TestRegistry.Config.plain())) {
            Cli kiln = new Cli(dir.resolve("store"));
            Path small = tree("small", 1, 4096), big = tree("big", 40, 1 << 20);
            for (int round = 1; round <= rounds; round++) {
                kiln.ok("rm", "--all");
                String ref = registry.host() + "/race/app:" + round;
                String base = "base-" + round;
                commit(kiln, "scratch", small, base);
                commit(kiln, base, big, "app-" + round);
                kiln.ok("push", "--compression-format", "gzip", "app-" + round, ref);
                Digest baseLayer = firstLayer(kiln, base);
                kiln.ok("rmi", "app-" + round);
                Digest garbageLayer;
                try (Store s = Store.open(kiln.root(), StoreOptions.DEFAULT)) {
                    // the push compressed the base's layer and kept that blob: the pull will find it in the store
                    garbageLayer = s.blobs().compressed(baseLayer, "gzip").orElseThrow();
                    s.images().untag("localhost/" + base + ":latest"); // behind kiln's back: its layers are garbage now
                }
                try (var blobs = Files.list(kiln.root().resolve("blobs/sha256"))) {
                    for (Path b : blobs.toList()) Files.setLastModifiedTime(b, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
                }
                assertThat(blobExists(kiln, garbageLayer)).as("the old layer is garbage in the store").isTrue();

                Process pull = KilnChild.start(dir.resolve("pull-" + round), List.of(), List.of("--root", kiln.root().toString(), "pull", ref));
                // gc starts once the pull is fetching the big layer: it has looked for the old one by then
                while (pull.isAlive() && !ingesting(kiln.root())) Thread.sleep(5);
                int gcs = 0;
                while (pull.isAlive()) {
                    try (Store s = Store.open(kiln.root(), StoreOptions.DEFAULT)) {
                        s.gc(); // another process collecting garbage, 10-minute grace as kiln gc
                    }
                    gcs++;
                }
                assertThat(pull.waitFor()).as(KilnChild.result(dir.resolve("pull-" + round), pull.exitValue()).toString()).isZero();
                assertThat(gcs).isPositive();
                Cli.Result fsck = kiln.run("fsck", "--full");
                assertThat(fsck.code()).as("round " + round + " (" + gcs + " gcs during the pull): " + fsck).isZero();
                assertThat(kiln.ok("images")).contains(registry.host() + "/race/app");
            }
        }
    }

    private void commitsPullsAndGc(int rounds, int committers) throws Exception {
        try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"), TestRegistry.Config.plain())) {
            Cli kiln = new Cli(dir.resolve("store"));
            commit(kiln, "scratch", tree("base", 20, 64 << 10), "base");
            List<String> pushed = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                commit(kiln, "base", tree("pushed-" + i, 20, 256 << 10), "src-" + i);
                pushed.add(registry.host() + "/many/src-" + i + ":1");
                kiln.ok("push", "src-" + i, pushed.get(i));
                kiln.ok("rmi", "src-" + i);
            }
            for (int round = 1; round <= rounds; round++) {
                List<String> expected = new ArrayList<>();
                List<Process> children = new ArrayList<>();
                List<Path> logs = new ArrayList<>();
                for (int c = 0; c < committers; c++) {
                    String ctr = "ctr-" + round + "-" + c;
                    kiln.ok("from", "--name", ctr, "base");
                    kiln.ok("copy", ctr, tree(ctr, 30, 128 << 10).toString(), "/data");
                    logs.add(dir.resolve(ctr));
                    children.add(KilnChild.start(logs.getLast(), List.of(), List.of("--root", kiln.root().toString(), "commit", ctr,
                            "img-" + round + "-" + c)));
                    expected.add("localhost/img-" + round + "-" + c + ":latest");
                }
                for (String ref : pushed) {
                    if (names(kiln).contains(ref)) kiln.ok("rmi", ref);
                    logs.add(dir.resolve("pull-" + round + "-" + pushed.indexOf(ref)));
                    children.add(KilnChild.start(logs.getLast(), List.of(), List.of("--root", kiln.root().toString(), "pull", ref)));
                    expected.add(ref);
                }
                logs.add(dir.resolve("gc-" + round));
                children.add(KilnChild.start(logs.getLast(), List.of(), List.of("--root", kiln.root().toString(), "gc")));
                for (int i = 0; i < children.size(); i++) {
                    Process p = children.get(i);
                    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
                    assertThat(p.exitValue()).as(logs.get(i).getFileName() + ": " + KilnChild.result(logs.get(i), p.exitValue())).isZero();
                }
                List<String> names = names(kiln);
                assertThat(names).as("round " + round).containsAll(expected);
                Cli.Result fsck = kiln.run("fsck", "--full");
                assertThat(fsck.code()).as(fsck.toString()).isZero();
                kiln.ok("rm", "--all");
            }
        }
    }

    private Path tree(String name, int files, int maxSize) throws Exception {
        Path d = Files.createDirectories(dir.resolve("trees").resolve(name));
        Random r = new Random(name.hashCode());
        for (int i = 0; i < files; i++) {
            byte[] b = new byte[maxSize / 2 + r.nextInt(maxSize / 2 + 1)];
            r.nextBytes(b);
            Files.write(d.resolve("f" + i), b);
        }
        return d;
    }

    private static void commit(Cli kiln, String base, Path tree, String name) {
        String ctr = kiln.ok("from", base);
        kiln.ok("copy", ctr, tree.toString(), "/" + name);
        kiln.ok("commit", "--rm", ctr, name);
    }

    private static Digest firstLayer(Cli kiln, String image) {
        try (Store s = Store.open(kiln.root(), StoreOptions.DEFAULT)) {
            Digest m = s.images().byName("localhost/" + image + ":latest").orElseThrow().manifest();
            return Manifest.parse(s.blobs().read(m)).layers().getFirst().digest();
        }
    }

    private static List<String> names(Cli kiln) {
        try (Store s = Store.open(kiln.root(), StoreOptions.DEFAULT)) {
            return s.images().list().stream().map(r -> r.name()).filter(java.util.Objects::nonNull).toList();
        }
    }

    /** Whether an ingest file is being written in tmp/ (any process's scratch directory). */
    private static boolean ingesting(Path root) throws java.io.IOException {
        try (var s = Files.find(root.resolve("tmp"), 2, (p, a) -> p.getFileName().toString().startsWith("ingest-"))) {
            return s.findAny().isPresent();
        } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
            return false; // a scratch directory went away while we looked
        }
    }

    private static boolean blobExists(Cli kiln, Digest d) {
        return Files.exists(kiln.root().resolve("blobs/sha256").resolve(d.hex()));
    }
}

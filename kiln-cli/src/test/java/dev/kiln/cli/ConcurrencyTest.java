package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.Digest;
import dev.kiln.oci.Manifest;
import dev.kiln.registry.TestRegistry;
import dev.kiln.store.Store;
import dev.kiln.store.StoreOptions;
import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import java.util.Map;
import java.util.TreeMap;
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
 * Issue 8, items 2, 3 and 5: kiln processes at once on one store. gc runs while others commit and
 * pull; commits and pulls run side by side; builds sharing cached steps run side by side beside
 * rmi and gc. No name is lost, index.json stays whole, and fsck
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

    @Test
    @Tag("privileged") // RUN steps: root and runc
    void fourBuildsAtOnceBesideRmiAndGcGiveTheImagesOfOneAtATime() throws Exception {
        buildsAtOnce(1, "concurrent-builds-ci");
    }

    @Test
    @Tag("long")
    void fourBuildsAtOnceManyTimes() throws Exception {
        buildsAtOnce(10, "concurrent-builds-long");
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

    /** The Dockerfiles the builds run: a shared COPY and RUN, a RUN two of them share, then their own COPY and RUN. */
    private static final int BUILDS = 4;

    /**
     * Issue 8, item 5. The {@value #BUILDS} builds are first run one at a time on a fresh store
     * (the reference digests); then, each round, on another fresh store all at once as separate
     * processes, while this thread loops committing, removing ({@code rmi}) and collecting
     * ({@code kiln gc}, every blob and snapshot aged past its grace first) other images. Every build must succeed with the
     * reference image id and manifest, every other image keep its name, and fsck --full pass.
     */
    private void buildsAtOnce(int rounds, String report) throws Exception {
        Tools.requireRoot();
        Tools.require("runc");
        Path ctx = buildContext();
        Map<String, String> reference = new TreeMap<>();
        Cli one = new Cli(dir.resolve("one-at-a-time"));
        makeBusybox(one);
        for (int i = 0; i < BUILDS; i++) {
            String id = lastLine(one.ok(buildArgs(ctx, i).toArray(String[]::new)));
            reference.put("app-" + i, id + " " + manifestOf(one, "localhost/app-" + i + ":latest"));
        }
        Path out = Files.createDirectories(CrashHarness.reportDir()).resolve(report + ".txt");
        List<String> failures = new ArrayList<>();
        int built = 0, failed = 0, wrong = 0, lost = 0, loops = 0;
        try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
            log.printf("%d builds at once, %d rounds, store driver %s%n", BUILDS, rounds,
                    Files.readString(one.root().resolve("store.json")).strip());
            for (int round = 1; round <= rounds; round++) {
                RoundResult r = buildRound(ctx, round, reference, failures);
                built += BUILDS;
                failed += r.failed();
                wrong += r.wrong();
                lost += r.lost();
                loops += r.loops();
                log.printf("round %2d  %d builds in %5d ms  failed %d  wrong digest %d  names lost %d  (%d of %d steps from the cache, "
                        + "%d commit/rmi/gc loops beside)%n", round, BUILDS, r.millis(), r.failed(), r.wrong(), r.lost(), r.cacheHits(),
                        BUILDS * 5, r.loops());
                log.flush();
            }
            log.printf("%nbuilds %d  failed %d  wrong digest %d  names lost %d  commit/rmi/gc loops %d%n", built, failed, wrong, lost, loops);
            failures.forEach(f -> log.println("FAILURE: " + f));
        }
        System.out.println(Files.readString(out));
        assertThat(failures).as("see " + out).isEmpty();
    }

    /** {@code cacheHits}: steps the builds took from each other's cache entries (the rest they raced to make). */
    private record RoundResult(int failed, int wrong, int lost, int loops, int cacheHits, long millis) {}

    private RoundResult buildRound(Path ctx, int round, Map<String, String> reference, List<String> failures) throws Exception {
        Cli kiln = new Cli(dir.resolve("at-once-" + round));
        makeBusybox(kiln);
        Map<String, Digest> others = new TreeMap<>();
        List<String> junk = new ArrayList<>();
        for (int k = 0; k < 3; k++) junk.add(junkImage(kiln, round + "-pre-" + k, others));
        long t0 = System.nanoTime();
        List<Process> builds = new ArrayList<>();
        for (int i = 0; i < BUILDS; i++) {
            List<String> args = new ArrayList<>(List.of("--debug", "--root", kiln.root().toString()));
            args.addAll(buildArgs(ctx, i));
            builds.add(KilnChild.start(dir.resolve("build-" + round + "-" + i), List.of(), args));
        }
        int loops = 0;
        while (builds.stream().anyMatch(Process::isAlive)) {
            junk.add(junkImage(kiln, round + "-" + loops, others));
            String victim = junk.removeFirst();
            kiln.ok("rmi", victim);
            others.remove("localhost/" + victim + ":latest");
            ageBlobsAndSnapshots(kiln.root());
            kiln.ok("gc");
            loops++;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        int failed = 0, wrong = 0, lost = 0, hits = 0;
        for (int i = 0; i < BUILDS; i++) {
            Path log = dir.resolve("build-" + round + "-" + i);
            KilnChild.Result r = KilnChild.result(log, builds.get(i).waitFor());
            hits += (int) r.out().lines().filter(l -> l.startsWith("--> Using cache")).count();
            if (r.code() != 0) {
                failed++;
                failures.add("round " + round + ", build " + i + ": " + r);
                continue;
            }
            String got = lastLine(r.out()) + " " + manifestOf(kiln, "localhost/app-" + i + ":latest");
            if (!got.equals(reference.get("app-" + i))) {
                wrong++;
                failures.add("round " + round + ", build " + i + ": id and manifest " + got + ", one at a time " + reference.get("app-" + i));
            }
        }
        for (var e : others.entrySet()) {
            if (!e.getValue().toString().equals(manifestOf(kiln, e.getKey()))) {
                lost++;
                failures.add("round " + round + ": " + e.getKey() + " was " + e.getValue() + ", now " + manifestOf(kiln, e.getKey()));
            }
        }
        Cli.Result fsck = kiln.run("fsck", "--full");
        if (fsck.code() != 0) failures.add("round " + round + ": fsck --full: " + fsck);
        if (!kiln.ok("containers", "--quiet").isEmpty()) failures.add("round " + round + ": containers left: " + kiln.ok("containers"));
        Tools.run("rm", "-rf", "--one-file-system", kiln.root().toString());
        return new RoundResult(failed, wrong, lost, loops, hits, millis);
    }

    /**
     * Sets every blob and snapshot an hour back, so gc's grace for young files spares none of them:
     * what a build is about to reference survives only by its lease (a build's layer can be a blob
     * the store already has as old garbage: with --timestamp, the same step makes the same layer).
     */
    private static void ageBlobsAndSnapshots(Path root) throws Exception {
        FileTime hourAgo = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
        try (var s = Stream.concat(Files.list(root.resolve("blobs/sha256")), Files.list(root.resolve("snapshots")).map(p -> p.resolve("meta.json")))) {
            for (Path p : s.toList()) {
                try {
                    Files.setLastModifiedTime(p, hourAgo);
                } catch (java.nio.file.NoSuchFileException e) {
                    // removed meanwhile, or a snapshot being published
                }
            }
        }
    }

    private Path buildContext() throws Exception {
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.move(tree("shared", 40, 32 << 10), ctx.resolve("shared"));
        for (int i = 0; i < BUILDS; i++) {
            Files.move(tree("own-" + i, 20, 32 << 10), ctx.resolve("own-" + i));
            Files.writeString(ctx.resolve("Dockerfile." + i), """
                    FROM localhost/busybox
                    COPY shared/ /shared/
                    RUN cat /shared/* | md5sum > /shared.sum && mkdir -p /opt/data && seq 1 20000 > /opt/data/seq
                    RUN echo pair %d > /pair && ls /shared > /pair.ls
                    COPY own-%d/ /own/
                    RUN wc -c /own/* > /own.size && echo %d > /build
                    """.formatted(i / 2, i, i));
        }
        return ctx;
    }

    private static List<String> buildArgs(Path ctx, int i) {
        return List.of("build", "--timestamp", "0", "-t", "app-" + i, "-f", ctx.resolve("Dockerfile." + i).toString(), ctx.toString());
    }

    /** localhost/busybox from the test fixture, committed with a fixed time so every store gets the same image. */
    private static void makeBusybox(Cli kiln) throws Exception {
        String ctr = kiln.ok("from", "scratch");
        kiln.ok("add", ctr, Fixtures.busyboxRootfsTar().toString(), "/");
        kiln.ok("commit", "--rm", "--timestamp", "0", ctr, "localhost/busybox");
    }

    /** An image that is not a build's: busybox plus a few random files; recorded in {@code others}. */
    private String junkImage(Cli kiln, String suffix, Map<String, Digest> others) throws Exception {
        String name = "junk-" + suffix;
        commit(kiln, "localhost/busybox", tree(name, 4, 16 << 10), name);
        String ref = "localhost/" + name + ":latest";
        others.put(ref, Digest.parse(manifestOf(kiln, ref)));
        return name;
    }

    private static String lastLine(String out) {
        return out.strip().lines().reduce((a, b) -> b).orElse("");
    }

    /** The manifest digest {@code name} points to, or "absent". */
    private static String manifestOf(Cli kiln, String name) {
        try (Store s = Store.open(kiln.root(), StoreOptions.DEFAULT)) {
            return s.images().byName(name).map(r -> r.manifest().toString()).orElse("absent");
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

package dev.kiln.cli;

import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.Manifest;
import dev.kiln.registry.TestRegistry;
import dev.kiln.store.ImageRecord;
import dev.kiln.store.Snapshots;
import dev.kiln.store.Store;
import dev.kiln.store.StoreOptions;
import dev.kiln.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The world the crash cases run in: one store, the real registry on 127.0.0.1, and seeded random
 * content. Its helpers prepare what a command needs before a child kiln runs it, using kiln
 * itself (in-process) wherever kiln can do it.
 *
 * @param files   files per random tree (a layer's worth of changes)
 * @param maxSize largest random file, bytes
 */
final class CrashEnv implements AutoCloseable {
    static final String BASE = "crash-base";
    static final String BUSYBOX = "crash-busybox";

    record Scale(int files, int maxSize) {}

    final Path root;
    final Path work;
    final Cli cli;
    final TestRegistry registry;
    final Random random;
    private final Scale scale;
    private int serial;
    private String pullSource;
    private Path buildContext;

    private CrashEnv(Path dir, TestRegistry registry, long seed, Scale scale) throws IOException {
        this.root = dir.resolve("store");
        this.work = Files.createDirectories(dir.resolve("work"));
        this.cli = new Cli(root);
        this.registry = registry;
        this.random = new Random(seed);
        this.scale = scale;
    }

    /** A store with the base image the other images are made on. */
    static CrashEnv create(Path dir, TestRegistry registry, long seed, Scale scale) throws IOException {
        CrashEnv env = new CrashEnv(dir, registry, seed, scale);
        String ctr = env.cli.ok("from", "scratch");
        env.cli.ok("copy", ctr, env.randomTree().toString(), "/base");
        env.cli.ok("commit", ctr, BASE);
        env.cli.ok("rm", ctr);
        return env;
    }

    int next() {
        return ++serial;
    }

    /** A new directory of seeded random files, a fifth of them one level down. */
    Path randomTree() throws IOException {
        Path dir = Files.createDirectories(work.resolve("tree-" + next()));
        for (int i = 0; i < scale.files(); i++) {
            Path f = i % 5 == 0 ? dir.resolve("d" + i % 7).resolve("f" + i) : dir.resolve("f" + i);
            Files.createDirectories(f.getParent());
            byte[] bytes = new byte[random.nextInt(scale.maxSize() + 1)];
            random.nextBytes(bytes);
            Files.write(f, bytes);
        }
        return dir;
    }

    /** {@code name} := the base image plus one layer of a fresh random tree. */
    void freshImage(String name) throws IOException {
        String ctr = cli.ok("from", BASE);
        cli.ok("copy", ctr, randomTree().toString(), "/data");
        cli.ok("commit", ctr, name);
        cli.ok("rm", ctr);
    }

    /** Working container {@code name} on the base with a fresh random tree copied in; an older one of that name goes first. */
    void containerWithChanges(String name) throws IOException {
        cli.run("rm", name); // absent the first time; a removal that failed makes the next line fail
        cli.ok("from", "--name", name, BASE);
        cli.ok("copy", name, randomTree().toString(), "/data");
    }

    /** A repository:tag in the test registry. */
    String registryRef(String repoTag) {
        return registry.host() + "/crash/" + repoTag;
    }

    /** An image in the registry (pushed once) that is not in the store, so a pull fetches every layer. */
    String pullSourceAbsentLocally() throws IOException {
        if (pullSource == null) {
            freshImage("pull-src");
            pullSource = registryRef("pulled:1");
            cli.ok("push", "pull-src", pullSource);
            cli.ok("rmi", "pull-src");
        }
        if (names().containsKey(pullSource)) cli.ok("rmi", pullSource);
        return pullSource;
    }

    /**
     * Work for gc: an image whose name is removed behind kiln's back (its blobs, and the snapshot
     * a container made of its layer, stay), plus a half-written ingest file, all aged past gc's grace.
     */
    void agedGarbage() throws IOException {
        freshImage("garbage");
        cli.ok("rm", cli.ok("from", "garbage"));
        List<Path> aged = new ArrayList<>();
        try (Store s = Store.open(root, StoreOptions.DEFAULT)) {
            Digest m = s.images().byName("localhost/garbage:latest").orElseThrow().manifest();
            Manifest manifest = Manifest.parse(s.blobs().read(m));
            aged.add(s.blobs().path(m));
            aged.add(s.blobs().path(manifest.config().digest()));
            manifest.layers().forEach(l -> aged.add(s.blobs().path(l.digest())));
            List<Digest> diffIds = ImageConfig.parse(s.blobs().read(manifest.config().digest())).rootfs().diffIds();
            aged.add(s.snapshots().path(Snapshots.chainIds(diffIds).getLast()).resolve("meta.json"));
            s.images().untag("localhost/garbage:latest");
        }
        Path ingest = root.resolve("tmp/ingest-" + Long.toHexString(random.nextLong() | 1L << 62));
        byte[] half = new byte[scale.maxSize()];
        random.nextBytes(half);
        aged.add(Files.write(ingest, half));
        FileTime hourAgo = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
        for (Path p : aged) Files.setLastModifiedTime(p, hourAgo);
    }

    /**
     * A new build context: a Dockerfile on busybox (made once from the test fixture) whose first
     * RUN names this round, so no step is in the build cache yet and a kill can land in a RUN, in
     * the commit of a step or in the writing of its cache entry; then a COPY of a fresh random
     * tree and a RUN that reads it.
     */
    void buildContext() throws IOException, InterruptedException {
        if (!names().containsKey("localhost/" + BUSYBOX + ":latest")) {
            String ctr = cli.ok("from", "scratch");
            cli.ok("add", ctr, Fixtures.busyboxRootfsTar().toString(), "/");
            cli.ok("commit", "--rm", ctr, BUSYBOX);
        }
        // The working containers a killed build left (fsck and the rerun ran beside them) go, so they do not pile up.
        List<String> left;
        try (Store s = Store.open(root, StoreOptions.DEFAULT)) {
            left = s.containers().list().stream().filter(c -> c.name().startsWith(BUSYBOX + "-working-container"))
                    .map(c -> c.id()).toList();
        }
        for (String id : left) cli.ok("rm", id);
        int round = next();
        buildContext = Files.createDirectories(work.resolve("build-" + round));
        Files.move(randomTree(), buildContext.resolve("files"));
        Files.writeString(buildContext.resolve("Dockerfile"), """
                FROM %s
                RUN mkdir /out && echo %d > /out/round && dd if=/dev/urandom of=/out/noise bs=64k count=%d 2>/dev/null
                COPY files/ /files/
                RUN find /files -type f | sort | xargs cat | md5sum > /out/sum && ls -lR /files > /out/listing
                """.formatted(BUSYBOX, round, Math.max(1, scale.files() / 20)));
    }

    /** {@code kiln build} of the context {@link #buildContext()} made last, tagged {@code tag}. */
    List<String> buildArgs(String tag) {
        return List.of("build", "-t", tag, buildContext.toString());
    }

    /** Every image name in the store and its manifest. */
    Map<String, Digest> names() {
        Map<String, Digest> out = new TreeMap<>();
        try (Store s = Store.open(root, StoreOptions.DEFAULT)) {
            for (ImageRecord r : s.images().list()) if (r.name() != null) out.put(r.name(), r.manifest());
        }
        return out;
    }

    /** Removes everything unreferenced at once, so the next round's fsck --full stays quick. */
    void collectGarbage() {
        try (Store s = Store.open(root, StoreOptions.DEFAULT)) {
            s.gc(Duration.ZERO);
        }
    }

    /** Removes the work trees (store content stays). */
    void dropTrees() throws IOException {
        try (var s = Files.list(work)) {
            for (Path p : s.toList()) CrashEnv.deleteTree(p);
        }
    }

    static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    /** Unmounts and removes every working container (a killed squash commit may leave one mounted). */
    @Override
    public void close() {
        cli.run("rm", "--all");
    }
}

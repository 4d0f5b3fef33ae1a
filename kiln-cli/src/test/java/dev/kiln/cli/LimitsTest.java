package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Index;
import dev.kiln.oci.Limits;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.registry.RegistryClient;
import dev.kiln.registry.RegistryOptions;
import dev.kiln.registry.TestRegistry;
import dev.kiln.testing.Tools;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 7: limits that must not crash the JVM or the store. Each ends in success or in
 * one clear error line with the store as it was. CI runs each at a size that already crosses the
 * line (a layer eight times the heap, a manifest three times the limit); {@code long} runs the
 * sizes the issue names (2 GiB with -Xmx256m, a million entries, 10,000 lines, 100 MB documents)
 * and appends what happened to target/reliability/limits.txt.
 */
@Tag("privileged")
class LimitsTest {
    @TempDir
    Path dir;

    // ---- a layer much larger than the heap ---------------------------------------------------

    @Test
    void aLayerEightTimesTheHeapCommits() throws Exception {
        bigLayer(512L << 20, "-Xmx64m");
    }

    @Test
    @Tag("long")
    void aTwoGigabyteLayerCommitsWithA256MegabyteHeap() throws Exception {
        bigLayer(2L << 30, "-Xmx256m");
        bigLayer(6L << 30, "-Xmx256m");
    }

    private void bigLayer(long size, String heap) throws Exception {
        Tools.requireRoot();
        Path store = dir.resolve("big-" + size);
        Cli kiln = new Cli(store);
        String ctr = kiln.ok("from", "scratch");
        Path mnt = Path.of(kiln.ok("mount", ctr));
        try (RandomAccessFile f = new RandomAccessFile(mnt.resolve("big").toFile(), "rw")) {
            f.setLength(size); // sparse: reads as zeros, costs no disk until committed
        }
        kiln.ok("umount", ctr);
        long t0 = System.nanoTime();
        KilnChild.Result r = KilnChild.run(dir.resolve("commit-" + size), List.of(heap), List.of("--root", store.toString(), "commit", ctr, "big"), 1800);
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertThat(r.code()).as(r.toString()).isZero();
        long largest;
        try (Stream<Path> blobs = Files.list(store.resolve("blobs/sha256"))) {
            largest = blobs.mapToLong(p -> p.toFile().length()).max().orElse(0);
        }
        assertThat(largest).as("the layer blob holds the whole file").isGreaterThan(size);
        kiln.ok("rm", ctr);
        report("layer of " + size + " bytes committed with " + heap + " in " + seconds + " s (blob " + largest + " bytes)");
        kiln.ok("rmi", "big");
    }

    // ---- a layer of many entries --------------------------------------------------------------

    @Test
    void aLayerOfFiveThousandEntries() throws Exception {
        manyEntries(5_000, "-Xmx64m");
    }

    @Test
    @Tag("long")
    void aLayerOfAMillionEntries() throws Exception {
        manyEntries(1_000_000, "-Xmx1g");
    }

    private void manyEntries(int entries, String heap) throws Exception {
        Tools.requireRoot();
        Path store = dir.resolve("many");
        Cli kiln = new Cli(store);
        String ctr = kiln.ok("from", "scratch");
        Path mnt = Path.of(kiln.ok("mount", ctr));
        for (int d = 0; d * 1000 < entries; d++) {
            Path sub = Files.createDirectories(mnt.resolve("d" + d));
            for (int i = 0; i < 999 && d * 1000 + i + 1 < entries; i++) Files.createFile(sub.resolve("f" + i));
        }
        kiln.ok("umount", ctr);
        long t0 = System.nanoTime();
        KilnChild.Result commit = KilnChild.run(dir.resolve("commit-many"), List.of(heap), List.of("--root", store.toString(), "commit", ctr, "many"), 3600);
        long commitSeconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertThat(commit.code()).as(commit.toString()).isZero();
        kiln.ok("rm", ctr);
        t0 = System.nanoTime();
        KilnChild.Result from = KilnChild.run(dir.resolve("from-many"), List.of(heap), List.of("--root", store.toString(), "from", "--name", "again", "many"), 3600);
        long fromSeconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertThat(from.code()).as(from.toString()).isZero();
        Path again = Path.of(kiln.ok("mount", "again"));
        assertThat(again.resolve("d0/f0")).exists();
        assertThat(again.resolve("d" + ((entries - 2) / 1000))).isDirectory();
        kiln.ok("umount", "again");
        Cli.Result fsck = kiln.run("fsck", "--full");
        assertThat(fsck.code()).as(fsck.toString()).isZero();
        kiln.ok("rm", "again");
        report("layer of " + entries + " entries: commit " + commitSeconds + " s, from (unpack) " + fromSeconds + " s, " + heap);
    }

    // ---- paths longer than PATH_MAX -------------------------------------------------------------

    /**
     * 230 levels of 20 characters, 4,830 bytes of path below where it starts, past Linux's PATH_MAX
     * of 4,096: made with mkdirat/openat (Python's dir_fd), since no path to the bottom can be
     * given to a system call. Ends with deep.txt.
     */
    private static final List<String> NEST = List.of("python3", "-c", """
            import os
            fd = os.open(".", os.O_RDONLY)
            for i in range(230):
                os.mkdir("n" * 20, dir_fd=fd)
                fd = os.open("n" * 20, os.O_RDONLY, dir_fd=fd)
            f = os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
            os.write(f, b"deep\\n")
            """);

    /** Deep trees defeat JUnit's clean-up (it deletes by path): GNU rm works one directory at a time. */
    @org.junit.jupiter.api.AfterEach
    void removeDeepTrees() throws Exception {
        try (Stream<Path> children = Files.list(dir)) {
            for (Path p : children.toList()) {
                if (Files.exists(p.resolve("store.json"))) new Cli(p).run("rm", "--all"); // unmount what a failure left
            }
        }
        Tools.exec(null, List.of("find", dir.toString(), "-mindepth", "1", "-maxdepth", "1", "-exec", "rm", "-rf", "--one-file-system", "{}", "+"));
    }

    @Test
    void nestingPastPathMaxEndsInSuccessOrOneClearError() throws Exception {
        Tools.requireRoot();
        Cli kiln = new Cli(dir.resolve("store"));
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Tools.exec(ctx, NEST).orFail("nesting in the context");
        String ctr = kiln.ok("from", "scratch");

        Map<String, String> before = listingOutsideContainers(kiln);
        Cli.Result copy = kiln.run("copy", "--contextdir", ctx.toString(), ctr, "n".repeat(20), "/deep");
        List<String> outcomes = new ArrayList<>();
        outcomes.add("copy of a tree nested past PATH_MAX: " + outcome(copy));
        if (copy.code() != 0) {
            // as a failed cp, a copy that fails half-way leaves what it copied in the working container; images are untouched
            assertOneClearError(copy, kiln, before, true);
        }

        Path mnt = Path.of(kiln.ok("mount", ctr));
        Tools.exec(mnt, NEST).orFail("nesting in the container");
        kiln.ok("umount", ctr);
        before = listingOutsideContainers(kiln);
        Cli.Result commit = kiln.run("commit", ctr, "deep");
        outcomes.add("commit of a container nested past PATH_MAX: " + outcome(commit));
        if (commit.code() != 0) {
            assertOneClearError(commit, kiln, before, true);
        } else {
            Cli.Result from = kiln.run("from", "--name", "deep-again", "deep");
            outcomes.add("from of that image (unpacking it): " + outcome(from));
            if (from.code() == 0) kiln.ok("rm", "deep-again");
            else assertThat(from.errLines()).hasSize(1);
        }
        assertThat(kiln.run("fsck", "--full").code()).isZero();
        kiln.ok("rm", ctr);
        outcomes.forEach(LimitsTest::report);
    }

    private static String outcome(Cli.Result r) {
        return r.code() == 0 ? "succeeded" : "failed: " + r.err().strip();
    }

    private static void assertOneClearError(Cli.Result r, Cli kiln, Map<String, String> before) throws IOException {
        assertOneClearError(r, kiln, before, false);
    }

    private static void assertOneClearError(Cli.Result r, Cli kiln, Map<String, String> before, boolean containersMayChange)
            throws IOException {
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines()).as(r.toString()).singleElement().asString().startsWith("kiln: ").doesNotContain("internal error");
        if (containersMayChange) assertThat(listingOutsideContainers(kiln)).isEqualTo(before);
        else assertThat(kiln.storeListing()).isEqualTo(before);
    }

    /** The store's listing without what is inside containers (a tree nested past PATH_MAX cannot be walked by path). */
    private static Map<String, String> listingOutsideContainers(Cli kiln) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        Path root = kiln.root();
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a) {
                out.put(root.relativize(d).toString(), "dir");
                return d.getParent() != null && d.getParent().equals(root.resolve("containers"))
                        ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) {
                String rel = root.relativize(f).toString();
                if (!rel.startsWith("leases/") && !(rel.endsWith(".lock") && !rel.contains("/"))) out.put(rel, "file " + a.size());
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return out;
    }

    // ---- a long Dockerfile --------------------------------------------------------------------------

    @Test
    void aDockerfileOfAThousandLinesBuilds() throws Exception {
        longDockerfile(1_000);
    }

    @Test
    @Tag("long")
    void aDockerfileOfTenThousandLinesBuilds() throws Exception {
        longDockerfile(10_000);
    }

    private void longDockerfile(int lines) throws Exception {
        Cli kiln = new Cli(dir.resolve("store"));
        Path ctx = Files.createDirectories(dir.resolve("long-ctx"));
        Files.writeString(ctx.resolve("file"), "f\n");
        StringBuilder df = new StringBuilder("FROM scratch\n");
        for (int i = 1; df.chars().filter(c -> c == '\n').count() < lines - 1; i++) {
            df.append(switch (i % 4) {
                case 0 -> "LABEL label" + i + "=\"value " + i + "\"\n";
                case 1 -> "ENV VAR" + i + "=" + i + "\n";
                case 2 -> "ARG arg" + i + "=" + i + "\n";
                default -> "# a comment, line " + i + "\n";
            });
        }
        df.append("COPY file /file\n");
        Files.writeString(ctx.resolve("Dockerfile"), df);
        long t0 = System.nanoTime();
        Cli.Result r = kiln.run("build", "-q", "-t", "long", ctx.toString());
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(kiln.ok("inspect", "long")).contains("\"label" + (lines / 2 / 4 * 4) + "\"");
        report("Dockerfile of " + lines + " lines built in " + seconds + " s");
    }

    // ---- huge manifests and configs --------------------------------------------------------------

    @Test
    @Tag("onepass") // reading documents does not depend on the storage driver
    void manifestsAndConfigsOverTheLimitAreRefusedFromEveryPlace() throws Exception {
        hugeDocuments(12 << 20);
    }

    @Test
    @Tag("long")
    void hundredMegabyteManifestsAndConfigsAreRefused() throws Exception {
        hugeDocuments(100_000_000);
    }

    private void hugeDocuments(int size) throws Exception {
        Cli kiln = new Cli(dir.resolve("store"));
        kiln.ok("images");
        Map<String, String> before = kiln.storeListing();
        List<String> outcomes = new ArrayList<>();
        Huge hugeManifest = Huge.manifest(size), hugeConfig = Huge.config(size);
        for (Huge h : List.of(hugeManifest, hugeConfig)) {
            Path layout = h.writeLayout(dir.resolve("layout-" + h.what()));
            String limit = Limits.describe(h.what().equals("manifest") ? Limits.MANIFEST : Limits.CONFIG);
            for (String source : List.of("oci:" + layout + ":huge", "oci-archive:" + tar(layout, dir.resolve(h.what() + ".tar")) + ":huge")) {
                Cli.Result r = kiln.run("pull", source);
                outcomes.add(h.what() + " of " + size + " bytes from " + source.substring(0, source.indexOf(':')) + ": " + outcome(r));
                assertOneClearError(r, kiln, before);
                assertThat(r.err()).contains(limit);
            }
        }
        Path dockerArchive = Huge.dockerArchiveWithConfig(size, dir.resolve("docker"));
        Cli.Result r = kiln.run("pull", "docker-archive:" + dockerArchive);
        outcomes.add("config of " + size + " bytes from docker-archive: " + outcome(r));
        assertOneClearError(r, kiln, before);
        assertThat(r.err()).contains(Limits.describe(Limits.CONFIG));
        if (Tools.onPath("docker-registry")) {
            try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"), TestRegistry.Config.plain())) {
                RegistryClient client = RegistryClient.create(registry.host(), RegistryOptions.defaults());
                hugeConfig.push(client, "huge/config");
                r = kiln.run("pull", registry.host() + "/huge/config:1");
                outcomes.add("config of " + size + " bytes from a registry: " + outcome(r));
                assertOneClearError(r, kiln, before);
                assertThat(r.err()).contains(Limits.describe(Limits.CONFIG));
            }
        }
        outcomes.forEach(LimitsTest::report);
    }

    /** An image one of whose JSON documents is {@code size} bytes of valid JSON (a long annotation or label). */
    record Huge(String what, byte[] config, byte[] manifest) {
        static Huge manifest(int size) {
            byte[] config = config("small");
            Descriptor c = Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256(config), config.length);
            String head = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\",\"config\":"
                    + new String(c.toJson(), StandardCharsets.UTF_8) + ",\"layers\":[],\"annotations\":{\"pad\":\"";
            return new Huge("manifest", config, padded(head, "\"}}", size));
        }

        static Huge config(int size) {
            byte[] config = padded("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                    + "\"config\":{\"Labels\":{\"pad\":\"", "\"}}}", size);
            Descriptor c = Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256(config), config.length);
            return new Huge("config", config, Manifest.of(c, List.of()).toJson());
        }

        static byte[] config(String seed) {
            return ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"Labels\":{\"s\":\""
                    + seed + "\"}}}").getBytes(StandardCharsets.UTF_8);
        }

        private static byte[] padded(String head, String tail, int size) {
            byte[] out = new byte[size];
            byte[] h = head.getBytes(StandardCharsets.UTF_8), t = tail.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(h, 0, out, 0, h.length);
            java.util.Arrays.fill(out, h.length, size - t.length, (byte) 'x');
            System.arraycopy(t, 0, out, size - t.length, t.length);
            return out;
        }

        Path writeLayout(Path dir) throws IOException {
            Files.createDirectories(dir.resolve("blobs/sha256"));
            Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            Files.write(dir.resolve("blobs/sha256").resolve(Digest.sha256(config).hex()), config);
            Files.write(dir.resolve("blobs/sha256").resolve(Digest.sha256(manifest).hex()), manifest);
            Descriptor m = Descriptor.of(MediaType.OCI_MANIFEST, Digest.sha256(manifest), manifest.length)
                    .withAnnotation("org.opencontainers.image.ref.name", "huge");
            Files.write(dir.resolve("index.json"), Index.of(List.of(m)).toJson());
            return dir;
        }

        void push(RegistryClient client, String repo) {
            Descriptor c = Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256(config), config.length);
            client.pushBlob(repo, c, () -> new ByteArrayInputStream(config));
            client.putManifest(repo, "1", manifest, MediaType.OCI_MANIFEST);
        }

        static Path dockerArchiveWithConfig(int size, Path dir) throws Exception {
            Huge h = config(size);
            Files.createDirectories(dir);
            String configName = Digest.sha256(h.config()).hex() + ".json";
            Files.write(dir.resolve(configName), h.config());
            Files.writeString(dir.resolve("manifest.json"), "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"huge:1\"],\"Layers\":[]}]");
            return tar(dir, dir.resolveSibling("docker.tar"));
        }
    }

    private static Path tar(Path dir, Path out) throws Exception {
        Tools.run("tar", "-C", dir.toString(), "-cf", out.toString(), ".");
        return out;
    }

    static void report(String line) {
        try {
            Path f = Files.createDirectories(CrashHarness.reportDir()).resolve("limits.txt");
            try (OutputStream out = Files.newOutputStream(f, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.oci.Digest;
import dev.kiln.registry.TestRegistry;
import dev.kiln.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 8: malformed input from outside, made by a seeded {@link Mutator} from a real
 * image kiln wrote: an OCI layout's index.json, manifest and config ("sealed": the mutated
 * document is re-addressed by its new digest so the parsers see it; or not, so verification does);
 * oci-archive and docker-archive files (their bytes, or their JSON re-packed); registry responses
 * through a {@link MutatingProxy} in front of the real registry (the body, the content type, the
 * digest header, the status); and the store's own index.json. Each input must end in success or
 * in one line naming what was wrong (never "internal error", never more than 30 s), and a failed
 * pull must leave the store exactly as it was. CI tries 30 to 50 mutations per place; {@code long}
 * 3,000 (300 of the store's index.json), and writes the tallies to target/reliability/mutations.txt. Seed: {@code -Dkiln.mutation.seed}.
 */
@Tag("tools")
@Tag("onepass") // pulls do not depend on the storage driver: run-tests' vfs pass leaves it out
class MutationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path layout;
    static Path dockerArchive;
    static TestRegistry registry;
    static MutatingProxy proxy;
    static final ExecutorService RUNNER = Executors.newVirtualThreadPerTaskExecutor();

    /** What happened at one place. */
    record Tally(String place, int tried, int accepted, int refused, List<String> unclean) {
        @Override
        public String toString() {
            return String.format("%-16s %6d tried  %6d accepted  %6d refused with one line  %d not handled cleanly",
                    place, tried, accepted, refused, unclean.size());
        }
    }

    @BeforeAll
    static void sources() throws Exception {
        Cli src = new Cli(dir.resolve("source-store"));
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(ctx.resolve("a.txt"), "a\n".repeat(100));
        Files.writeString(ctx.resolve("b.txt"), "b\n".repeat(100));
        String ctr = src.ok("from", "scratch");
        src.ok("copy", "--contextdir", ctx.toString(), ctr, "a.txt", "/");
        src.ok("commit", "--rm", ctr, "base");
        ctr = src.ok("from", "base");
        src.ok("copy", "--contextdir", ctx.toString(), ctr, "b.txt", "/");
        src.ok("config", "--label", "k=v", "--env", "A=1", ctr);
        src.ok("commit", "--rm", ctr, "src");
        layout = dir.resolve("layout");
        src.ok("push", "src", "oci:" + layout + ":src");
        dockerArchive = dir.resolve("docker.tar");
        src.ok("push", "src", "docker-archive:" + dockerArchive + ":src:1");
        if (Tools.onPath("docker-registry")) {
            registry = TestRegistry.start(dir.resolve("registry"), TestRegistry.Config.plain());
            src.ok("push", "src", registry.host() + "/mut/src:1");
            proxy = new MutatingProxy(registry.host());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) proxy.close();
        if (registry != null) registry.close();
    }

    @Test
    void ociLayoutDocuments() throws Exception {
        assertClean(ociLayout(50, seed(1)));
    }

    @Test
    void archives() throws Exception {
        assertClean(ociArchive(50, seed(2)));
        assertClean(dockerArchive(50, seed(3)));
    }

    @Test
    void registryResponses() throws Exception {
        Tools.require("docker-registry");
        assertClean(registryResponses(40, seed(4)));
    }

    @Test
    void theStoresOwnIndex() throws Exception {
        assertClean(storeIndex(30, seed(5)));
    }

    @Test
    @Tag("long")
    void thousandsOfMutations() throws Exception {
        Tools.require("docker-registry");
        int n = Integer.getInteger("kiln.mutation.count", 3000);
        Path report = Files.createDirectories(CrashHarness.reportDir()).resolve("mutations.txt");
        List<Tally> all = new ArrayList<>();
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(report, StandardCharsets.UTF_8), true)) {
            w.println("seed base " + Long.getLong("kiln.mutation.seed", 8) + ", " + n + " mutations per place");
            for (java.util.concurrent.Callable<Tally> place : List.<java.util.concurrent.Callable<Tally>>of(
                    () -> ociLayout(n, seed(11)), () -> ociArchive(n, seed(12)), () -> dockerArchive(n, seed(13)),
                    () -> registryResponses(n, seed(14)), () -> storeIndex(n / 10, seed(15)))) {
                Tally t = place.call();
                all.add(t);
                w.println(t);
                t.unclean().forEach(u -> w.println("UNCLEAN " + t.place() + ": " + u));
            }
        }
        all.forEach(this::assertClean);
    }

    private static long seed(int place) {
        return Long.getLong("kiln.mutation.seed", 8) * 1000 + place;
    }

    private void assertClean(Tally t) {
        System.out.println(t);
        assertThat(t.unclean()).as(t.place()).isEmpty();
        assertThat(t.refused()).as(t.place() + ": mutations are refused").isPositive();
    }

    // ---- places -------------------------------------------------------------------------------

    private Tally ociLayout(int n, long seed) throws Exception {
        Mutator m = new Mutator(seed);
        Path work = copyOf(layout, "layout-work");
        Layout l = new Layout(work);
        Outcomes o = new Outcomes("oci layout");
        for (int i = 0; i < n; i++) {
            String how = l.mutate(m);
            o.pull("oci:" + work + ":src", how + " (seed " + seed + ", #" + i + ")");
            l.restore();
        }
        return o.tally();
    }

    private Tally ociArchive(int n, long seed) throws Exception {
        Mutator m = new Mutator(seed);
        Path work = copyOf(layout, "archive-work");
        Layout l = new Layout(work);
        byte[] pristine = tar(work);
        Path archive = dir.resolve("mutated-oci.tar");
        Outcomes o = new Outcomes("oci-archive");
        for (int i = 0; i < n; i++) {
            String how;
            if (m.random().nextBoolean()) {
                Mutator.Mutation mu = m.bytes(pristine);
                Files.write(archive, mu.bytes());
                how = "archive " + mu.how();
            } else {
                how = l.mutate(m);
                Files.write(archive, tar(work));
                l.restore();
            }
            o.pull("oci-archive:" + archive + ":src", how + " (seed " + seed + ", #" + i + ")");
        }
        return o.tally();
    }

    private Tally dockerArchive(int n, long seed) throws Exception {
        Mutator m = new Mutator(seed);
        Path unpacked = Files.createDirectories(dir.resolve("docker-work"));
        Tools.run("tar", "-C", unpacked.toString(), "-xf", dockerArchive.toString());
        byte[] pristine = Files.readAllBytes(dockerArchive);
        Path archive = dir.resolve("mutated-docker.tar");
        Outcomes o = new Outcomes("docker-archive");
        for (int i = 0; i < n; i++) {
            String how;
            if (m.random().nextBoolean()) {
                Mutator.Mutation mu = m.bytes(pristine);
                Files.write(archive, mu.bytes());
                how = "archive " + mu.how();
            } else {
                how = mutateDockerJson(unpacked, m, archive);
            }
            o.pull("docker-archive:" + archive, how + " (seed " + seed + ", #" + i + ")");
        }
        return o.tally();
    }

    /** manifest.json or the config (sealed: renamed to its new digest and named so in manifest.json), re-packed. */
    private String mutateDockerJson(Path unpacked, Mutator m, Path archive) throws Exception {
        Path manifestJson = unpacked.resolve("manifest.json");
        byte[] original = Files.readAllBytes(manifestJson);
        ArrayNode entries = (ArrayNode) JSON.readTree(original);
        String configName = entries.get(0).get("Config").asText();
        Path config = unpacked.resolve(configName);
        byte[] originalConfig = Files.readAllBytes(config);
        String how;
        Path extra = null;
        if (m.random().nextBoolean()) {
            Mutator.Mutation mu = m.json(original);
            Files.write(manifestJson, mu.bytes());
            how = "manifest.json: " + mu.how();
        } else {
            Mutator.Mutation mu = m.json(originalConfig);
            extra = unpacked.resolve(Digest.sha256(mu.bytes()).hex() + ".json");
            Files.write(extra, mu.bytes());
            ((ObjectNode) entries.get(0)).put("Config", extra.getFileName().toString());
            Files.write(manifestJson, JSON.writeValueAsBytes(entries));
            how = "config (sealed): " + mu.how();
        }
        Files.write(archive, tar(unpacked));
        Files.write(manifestJson, original);
        if (extra != null && !extra.equals(config)) Files.deleteIfExists(extra);
        return how;
    }

    private Tally registryResponses(int n, long seed) throws Exception {
        Mutator m = new Mutator(seed);
        Outcomes o = new Outcomes("registry");
        String ref = proxy.host() + "/mut/src:1";
        try {
            for (int i = 0; i < n; i++) {
                String how = planRegistryMutation(m);
                o.pull(ref, how + " (seed " + seed + ", #" + i + ")");
            }
        } finally {
            proxy.rewrite((meth, p, r) -> r);
        }
        return o.tally();
    }

    /** Chooses what kind of response to spoil (the manifest, a blob) and how; returns the description. */
    private static String planRegistryMutation(Mutator m) {
        java.util.Random r = m.random();
        String target = switch (r.nextInt(3)) {
            case 0 -> "/manifests/";
            case 1 -> "/blobs/";
            default -> "/v2/";
        };
        int kind = r.nextInt(7);
        long mutationSeed = r.nextLong();
        String[] how = {""};
        proxy.rewrite((method, path, resp) -> {
            boolean hit = target.equals("/v2/") ? path.equals("/v2/") : path.contains(target) && method.equals("GET");
            if (!hit) return resp;
            Mutator local = new Mutator(mutationSeed);
            return switch (kind) {
                case 0 -> resp.withHeader("content-type", local.random().nextBoolean() ? "text/html" : null);
                case 1 -> resp.withHeader("docker-content-digest", Digest.sha256(new byte[] {1}).toString());
                case 2 -> resp.with(new int[] {404, 500, 401, 429, 302, 206}[local.random().nextInt(6)]);
                case 3 -> resp.withBody(local.json(resp.body()).bytes());
                case 4 -> resp.withBody(local.bytes(resp.body()).bytes());
                case 5 -> resp.withHeader("content-length", null).withBody(java.util.Arrays.copyOf(resp.body(), resp.body().length / 2));
                default -> resp.withHeader("www-authenticate", "Bearer realm=\"http://127.0.0.1:1/token\",service=\"x\",scope=\"y\"")
                        .with(401);
            };
        });
        how[0] = "registry " + target + " response: " + switch (kind) {
            case 0 -> "wrong or no content type";
            case 1 -> "wrong Docker-Content-Digest";
            case 2 -> "an unexpected status";
            case 3 -> "JSON mutated";
            case 4 -> "bytes mutated";
            case 5 -> "body truncated to half";
            default -> "an auth challenge to a dead token server";
        };
        return how[0] + " (mutation seed " + mutationSeed + ")";
    }

    private Tally storeIndex(int n, long seed) throws Exception {
        Mutator m = new Mutator(seed);
        Path root = dir.resolve("index-store");
        Cli kiln = new Cli(root);
        kiln.ok("pull", "oci:" + layout + ":src");
        byte[] original = Files.readAllBytes(root.resolve("index.json"));
        List<String> unclean = new ArrayList<>();
        int accepted = 0, refused = 0;
        for (int i = 0; i < n; i++) {
            Mutator.Mutation mu = m.json(original);
            Files.write(root.resolve("index.json"), mu.bytes());
            for (String[] cmd : List.of(new String[] {"images"}, new String[] {"fsck"}, new String[] {"from", "src"})) {
                Cli.Result r = runWithin(kiln, cmd);
                if (r == null || !clean(r)) unclean.add(String.join(" ", cmd) + " after index.json " + mu.how() + ": " + r);
                else if (r.code() == 0) accepted++;
                else refused++;
            }
            kiln.run("rm", "--all");
            Files.write(root.resolve("index.json"), original);
        }
        return new Tally("store index.json", n * 3, accepted, refused, unclean);
    }

    // ---- running and judging -----------------------------------------------------------------

    /** The outcomes at one place: every pull goes into a fresh-looking store, compared before and after. */
    private final class Outcomes {
        private final String place;
        private final Cli kiln;
        private final List<String> unclean = new ArrayList<>();
        private int tried, accepted, refused;

        Outcomes(String place) throws IOException {
            this.place = place;
            this.kiln = new Cli(Files.createDirectories(dir.resolve("target-" + place.replace(' ', '-'))).resolve("store"));
            kiln.ok("images");
        }

        void pull(String source, String how) throws IOException {
            tried++;
            Map<String, String> before = kiln.storeListing();
            Cli.Result r = runWithin(kiln, "pull", source);
            if (r == null || !clean(r)) {
                unclean.add(how + ": " + r);
            } else if (r.code() == 0) {
                accepted++;
                Cli.Result fsck = kiln.run("fsck");
                if (fsck.code() != 0) unclean.add(how + ": accepted, but fsck then says: " + fsck);
                kiln.run("rmi", "--all");
            } else {
                refused++;
                Map<String, String> after = kiln.storeListing();
                if (!after.equals(before)) unclean.add(how + ": refused (" + r.err().strip() + ") but the store changed: " + diff(before, after));
            }
        }

        Tally tally() {
            return new Tally(place, tried, accepted, refused, unclean);
        }
    }

    /** Runs kiln in-process, at most 30 s; null if it took longer. */
    private static Cli.Result runWithin(Cli kiln, String... args) {
        Future<Cli.Result> f = RUNNER.submit(() -> kiln.run(args));
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            f.cancel(true);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return new Cli.Result(-1, "", "escaped: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Success, or exit 1 with one line that is a kiln error (not an internal one). */
    private static boolean clean(Cli.Result r) {
        if (r.code() == 0) return true;
        return r.code() == 1 && r.errLines().size() == 1 && r.err().startsWith("kiln: ") && !r.err().contains("internal error");
    }

    private static String diff(Map<String, String> before, Map<String, String> after) {
        Map<String, String> d = new LinkedHashMap<>();
        before.forEach((k, v) -> { if (!v.equals(after.get(k))) d.put(k, v + " -> " + after.get(k)); });
        after.forEach((k, v) -> { if (!before.containsKey(k)) d.put(k, "new " + v); });
        return d.toString();
    }

    // ---- an OCI layout whose documents can be mutated and restored ----------------------------------

    /** The layout's index.json, manifest and config; {@link #mutate} changes one, {@link #restore} undoes it. */
    private static final class Layout {
        private final Path dir;
        private final byte[] index;
        private final Map<Path, byte[]> changed = new LinkedHashMap<>();
        private final List<Path> added = new ArrayList<>();

        Layout(Path dir) throws IOException {
            this.dir = dir;
            this.index = Files.readAllBytes(dir.resolve("index.json"));
        }

        String mutate(Mutator m) throws IOException {
            ObjectNode idx = (ObjectNode) JSON.readTree(index);
            ObjectNode mDesc = (ObjectNode) idx.get("manifests").get(0);
            Digest manifestDigest = Digest.parse(mDesc.get("digest").asText());
            byte[] manifest = Files.readAllBytes(blob(manifestDigest));
            ObjectNode man = (ObjectNode) JSON.readTree(manifest);
            ObjectNode cDesc = (ObjectNode) man.get("config");
            Digest configDigest = Digest.parse(cDesc.get("digest").asText());
            byte[] config = Files.readAllBytes(blob(configDigest));
            boolean sealed = m.random().nextInt(3) > 0;
            switch (m.random().nextInt(3)) {
                case 0 -> {
                    Mutator.Mutation mu = m.json(index);
                    write(dir.resolve("index.json"), mu.bytes());
                    return "index.json: " + mu.how();
                }
                case 1 -> {
                    Mutator.Mutation mu = m.json(manifest);
                    if (!sealed) {
                        write(blob(manifestDigest), mu.bytes());
                        return "manifest (in place): " + mu.how();
                    }
                    seal(mDesc, mu.bytes());
                    write(dir.resolve("index.json"), JSON.writeValueAsBytes(idx));
                    return "manifest (sealed): " + mu.how();
                }
                default -> {
                    Mutator.Mutation mu = m.json(config);
                    if (!sealed) {
                        write(blob(configDigest), mu.bytes());
                        return "config (in place): " + mu.how();
                    }
                    seal(cDesc, mu.bytes());
                    seal(mDesc, JSON.writeValueAsBytes(man));
                    write(dir.resolve("index.json"), JSON.writeValueAsBytes(idx));
                    return "config (sealed): " + mu.how();
                }
            }
        }

        /** Stores {@code bytes} as a new blob and points {@code descriptor} at it. */
        private void seal(ObjectNode descriptor, byte[] bytes) throws IOException {
            Digest d = Digest.sha256(bytes);
            Path p = blob(d);
            if (!Files.exists(p)) {
                Files.write(p, bytes);
                added.add(p);
            }
            descriptor.put("digest", d.toString()).put("size", bytes.length);
        }

        private void write(Path p, byte[] bytes) throws IOException {
            changed.putIfAbsent(p, Files.readAllBytes(p));
            Files.write(p, bytes);
        }

        void restore() throws IOException {
            for (var e : changed.entrySet()) Files.write(e.getKey(), e.getValue());
            for (Path p : added) Files.deleteIfExists(p);
            changed.clear();
            added.clear();
        }

        private Path blob(Digest d) {
            return dir.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
        }
    }

    private static Path copyOf(Path src, String name) throws IOException {
        Path dst = dir.resolve(name);
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
        return dst;
    }

    /** A tar of the directory's files (what oci-archive and docker-archive are). */
    private static byte[] tar(Path root) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out); Stream<Path> s = Files.walk(root)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                if (p.equals(root) || Files.isDirectory(p)) continue;
                TarArchiveEntry e = new TarArchiveEntry(root.relativize(p).toString());
                e.setSize(Files.size(p));
                t.putArchiveEntry(e);
                Files.copy(p, t);
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }
}

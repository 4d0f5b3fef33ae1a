package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Manifest;
import dev.kiln.store.ImageRecord;
import dev.kiln.store.Snapshots;
import dev.kiln.store.Store;
import dev.kiln.store.StoreOptions;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kiln fsck} against a table of deliberately damaged stores. Each store holds three images
 * made with kiln itself (a: one layer; b: a's layer plus one; c: one layer of its own) and a
 * working container on b. Each row damages it one way; fsck (with {@code --full} where only
 * reading everything can tell) must name the damage, and {@code --repair} must leave a store
 * that {@code fsck --full} calls sound, with every image the damage did not touch intact: same
 * name, same manifest, its files readable through a new working container.
 */
class FsckTest {
    @TempDir
    Path tmp;

    /** The store a row damages, with what it holds. */
    record Fixture(Path root, Cli cli, Map<String, Digest> manifests, Map<String, Manifest> parsed, String upper) {
        Path blob(Digest d) {
            return root.resolve("blobs/sha256").resolve(d.hex());
        }

        Digest layer(String image, int index) {
            return parsed.get(image).layers().get(index).digest();
        }

        /** The snapshot of b's top layer (its chain ID), which the working container uses. */
        Path topSnapshotOfB() throws Exception {
            try (Store s = Store.open(root, StoreOptions.DEFAULT)) {
                var cfg = dev.kiln.oci.ImageConfig.parse(s.blobs().read(parsed.get("b").config().digest()));
                return s.snapshots().path(Snapshots.chainIds(cfg.rootfs().diffIds()).getLast());
            }
        }
    }

    interface Damage {
        void apply(Fixture f) throws Exception;
    }

    /**
     * One damaged store: how to damage it, whether only {@code --full} can see it, what a line
     * of fsck's output must say, whether the store is unsound, and which images the repair removes.
     */
    record Row(String name, Damage damage, boolean needsFull, List<String> mustSay, boolean unsound, Set<String> removed) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Row> table() {
        return Stream.of(
                new Row("a missing blob (b's own layer)", f -> Files.delete(f.blob(f.layer("b", 1))), false,
                        List.of("damaged   image localhost/b:latest: layer 2 of 2 sha256:", "is missing"), true, Set.of("b")),
                new Row("a flipped byte in a layer (b's own layer)", f -> flipByte(f.blob(f.layer("b", 1)), 700), true,
                        List.of("damaged   blob sha256:", "its content does not match its digest",
                                "damaged   image localhost/b:latest: layer 2 of 2 sha256:", "is corrupt"), true, Set.of("b")),
                new Row("a flipped byte in a shared layer (a's, under b)", f -> flipByte(f.blob(f.layer("a", 0)), 700), true,
                        List.of("damaged   image localhost/a:latest: layer 1 of 1", "damaged   image localhost/b:latest: layer 1 of 2"),
                        true, Set.of("a", "b")),
                new Row("a truncated manifest (b's)", f -> truncate(f.blob(f.manifests().get("b")), 40), false,
                        List.of("damaged   image localhost/b:latest: manifest sha256:", "bytes, its descriptor says"), true, Set.of("b")),
                new Row("a flipped byte in a config (c's)", f -> flipByte(f.blob(f.parsed().get("c").config().digest()), 20), false,
                        List.of("damaged   image localhost/c:latest: config sha256:", "cannot be read", "digest mismatch"), true, Set.of("c")),
                new Row("a snapshot whose files changed (b's top layer)", f -> Files.writeString(
                        f.topSnapshotOfB().resolve("fs/b.txt"), "tampered\n"), true,
                        List.of("damaged   snapshot sha256:", "its files differ from its layer", "/b.txt: "), true, Set.of()),
                new Row("a snapshot gone from under a container", f -> FsckTest.deleteTree(f.topSnapshotOfB()), false,
                        List.of("damaged   container work: its lower snapshot sha256:", "is missing"), true, Set.of()),
                new Row("a dangling name", FsckTest::addDanglingName, false,
                        List.of("damaged   image localhost/ghost:latest: manifest sha256:", "is missing"), true, Set.of()),
                new Row("a truncated index.json", f -> truncate(f.root().resolve("index.json"), 30), false,
                        List.of("damaged   index.json: cannot be read"), true, Set.of()),
                new Row("a container without its upper directory", f -> FsckTest.deleteTree(containerDir(f).resolve(f.upper())), false,
                        List.of("damaged   container work: its directory " + "%UPPER%" + "/ is missing"), true, Set.of()),
                new Row("a half-written tmp/ file", FsckTest::halfWrittenTmpFile, false,
                        List.of("leftover  tmp/ingest-0123456789abcdef: left by an interrupted kiln", "4096 bytes"), false, Set.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void fsckFindsTheDamageAndRepairLeavesEverySoundImage(Row row) throws Exception {
        Fixture f = fixture();
        row.damage().apply(f);

        Cli.Result check = f.cli().run(row.needsFull() ? new String[] {"fsck", "--full"} : new String[] {"fsck"});
        List<String> mustSay = row.mustSay().stream().map(s -> s.replace("%UPPER%", f.upper())).toList();
        assertThat(check.out()).as(check.toString()).contains(mustSay);
        if (row.unsound()) {
            assertThat(check.code()).as(check.toString()).isEqualTo(1);
            assertThat(check.errLines()).singleElement().asString().startsWith("kiln: store " + f.root() + " is damaged: ");
        } else {
            assertThat(check.code()).as(check.toString()).isZero();
            assertThat(check.out()).contains("is sound");
        }
        if (row.needsFull()) {
            assertThat(f.cli().run("fsck").out()).as("without --full the damage is not visible").doesNotContain(mustSay.getFirst());
        }

        Cli.Result repair = f.cli().run("fsck", "--full", "--repair");
        assertThat(repair.code()).as(repair.toString()).isZero();
        assertThat(repair.out()).contains("repaired  ");
        Cli.Result after = f.cli().run("fsck", "--full");
        assertThat(after.code()).as(after.toString()).isZero();
        assertThat(after.out()).doesNotContain("damaged", "leftover");
        assertSoundImagesIntact(f, row);
    }

    @Test
    void aSoundStoreIsSoundAndFullSaysWhatItDid() throws Exception {
        Fixture f = fixture();
        Cli.Result plain = f.cli().run("fsck");
        assertThat(plain.code()).as(plain.toString()).isZero();
        assertThat(plain.err()).isEmpty();
        assertThat(plain.out()).contains("checked 3 images, " + count(f.root().resolve("blobs/sha256")) + " blobs, "
                + count(f.root().resolve("snapshots")) + " snapshots, 1 container (blob sizes only")
                .contains("store " + f.root() + " is sound");
        Cli.Result full = f.cli().run("fsck", "--full");
        assertThat(full.code()).as(full.toString()).isZero();
        assertThat(full.out()).contains("blobs re-hashed, snapshots compared with their layers").doesNotContain("could not be");
        assertThat(f.cli().run("fsck", "--full", "--repair").out()).doesNotContain("repaired");
        assertThat(f.cli().storeListing().keySet()).noneMatch(p -> p.startsWith("tmp/") && !p.equals("tmp"));
    }

    @Test
    void aTruncatedIndexIsRebuiltFromTheBlobsWithEveryImageUnnamed() throws Exception {
        Fixture f = fixture();
        truncate(f.root().resolve("index.json"), 30);
        Cli.Result repair = f.cli().run("fsck", "--repair");
        assertThat(repair.code()).as(repair.toString()).isZero();
        assertThat(repair.out()).contains("index.json: was unreadable, kept as index.json.broken-", "lists 3 images");
        try (Store s = Store.open(f.root(), StoreOptions.DEFAULT)) {
            assertThat(s.images().list()).extracting(ImageRecord::manifest)
                    .containsExactlyInAnyOrderElementsOf(f.manifests().values());
        }
    }

    // ---- the fixture -------------------------------------------------------------------------------

    private Fixture fixture() throws Exception {
        Path root = tmp.resolve("store");
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Cli cli = new Cli(root);
        for (String n : List.of("a", "b", "c")) {
            Files.writeString(ctx.resolve(n + ".txt"), (n + "\n").repeat(500)); // > 1 KiB: flipped bytes land in content
        }
        commit(cli, ctx, "scratch", "a");
        commit(cli, ctx, "a", "b");
        commit(cli, ctx, "scratch", "c");
        cli.ok("from", "--name", "work", "b");
        Map<String, Digest> manifests = new TreeMap<>();
        Map<String, Manifest> parsed = new TreeMap<>();
        String upper;
        try (Store s = Store.open(root, StoreOptions.DEFAULT)) {
            upper = s.driver().name().equals("overlay") ? "upper" : "rootfs";
            for (String n : List.of("a", "b", "c")) {
                Digest d = s.images().byName("localhost/" + n + ":latest").orElseThrow().manifest();
                manifests.put(n, d);
                parsed.put(n, Manifest.parse(s.blobs().read(d)));
            }
        }
        return new Fixture(root, cli, manifests, parsed, upper);
    }

    private static void commit(Cli cli, Path ctx, String base, String name) {
        String ctr = cli.ok("from", base);
        cli.ok("copy", "--contextdir", ctx.toString(), ctr, name + ".txt", "/");
        cli.ok("commit", ctr, name);
        cli.ok("rm", ctr);
    }

    private static long count(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    private static void assertSoundImagesIntact(Fixture f, Row row) throws Exception {
        try (Store s = Store.open(f.root(), StoreOptions.DEFAULT)) {
            for (String n : List.of("a", "b", "c")) {
                var rec = s.images().byName("localhost/" + n + ":latest");
                if (row.removed().contains(n)) {
                    assertThat(rec).as("damaged image %s is removed", n).isEmpty();
                } else if (!row.name().contains("index.json")) {
                    assertThat(rec).as("sound image %s keeps its name", n).isPresent();
                    assertThat(rec.get().manifest()).isEqualTo(f.manifests().get(n));
                }
            }
        }
        for (String n : List.of("a", "b", "c")) {
            if (row.removed().contains(n) || row.name().contains("index.json")) continue;
            String ctr = f.cli().ok("from", n);
            Path mnt = Path.of(f.cli().ok("mount", ctr));
            assertThat(Files.readString(mnt.resolve(n + ".txt"))).isEqualTo((n + "\n").repeat(500));
            f.cli().ok("umount", ctr);
            f.cli().ok("rm", ctr);
        }
    }

    // ---- damage --------------------------------------------------------------------------------------

    static void flipByte(Path file, long offset) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long at = Math.min(offset, raf.length() - 1);
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x20);
        }
    }

    static void truncate(Path file, long keep) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(keep);
        }
    }

    static void addDanglingName(Fixture f) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Path index = f.root().resolve("index.json");
        ObjectNode doc = (ObjectNode) json.readTree(index.toFile());
        ObjectNode e = doc.withArray("manifests").addObject();
        e.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        e.put("digest", Digest.sha256("no such manifest".getBytes(StandardCharsets.UTF_8)).toString());
        e.put("size", 321);
        e.putObject("annotations").put("org.opencontainers.image.ref.name", "localhost/ghost:latest");
        Files.write(index, json.writeValueAsBytes(doc));
    }

    static void halfWrittenTmpFile(Fixture f) throws Exception {
        Path p = f.root().resolve("tmp/ingest-0123456789abcdef");
        Files.write(p, new byte[4096]);
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
    }

    static Path containerDir(Fixture f) throws Exception {
        try (Stream<Path> s = Files.list(f.root().resolve("containers"))) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    static void deleteTree(Path p) throws Exception {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}

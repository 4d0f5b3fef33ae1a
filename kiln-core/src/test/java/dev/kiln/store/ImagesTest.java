package dev.kiln.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.oci.Digest;
import dev.kiln.oci.MediaType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class ImagesTest {
    static final String M = MediaType.OCI_MANIFEST;
    @TempDir
    Path dir;
    Store store;
    Images images;

    @BeforeEach
    void open() {
        store = Store.open(dir.resolve("store"), new StoreOptions("vfs"));
        images = store.images();
    }

    static Digest d(int i) {
        return Digest.sha256(new byte[]{(byte) i});
    }

    @Test
    void tagMovesNamesAndReplacesUnnamed() {
        images.addUnnamed(M, d(1), 10);
        images.addUnnamed(M, d(1), 10);
        assertThat(images.list()).singleElement().satisfies(r -> assertThat(r.name()).isNull());

        images.tag("localhost/a:latest", M, d(1), 10);
        assertThat(images.list()).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("localhost/a:latest");
            assertThat(r.manifest()).isEqualTo(d(1));
            assertThat(r.size()).isEqualTo(10);
            assertThat(r.annotations()).containsEntry(Images.REF_NAME, "localhost/a:latest");
        });
        images.addUnnamed(M, d(1), 10); // already present under a name: no-op
        images.tag("localhost/b:latest", M, d(1), 10);
        images.tag("localhost/a:latest", M, d(2), 20); // moves
        assertThat(images.byName("localhost/a:latest")).get().extracting(ImageRecord::manifest).isEqualTo(d(2));
        assertThat(images.byName("localhost/b:latest")).get().extracting(ImageRecord::manifest).isEqualTo(d(1));
        assertThat(images.list()).hasSize(2);
        assertThat(images.byDigestPrefix(d(2).hex().substring(0, 6))).extracting(ImageRecord::name)
                .containsExactly("localhost/a:latest");
    }

    @Test
    void untagRemovesTheEntryAndRemoveDropsAll() {
        images.tag("localhost/a:1", M, d(1), 10);
        images.tag("localhost/a:2", M, d(1), 10);
        images.tag("localhost/c:1", M, d(3), 10);
        assertThat(images.untag("localhost/a:1")).isTrue();
        assertThat(images.untag("localhost/a:1")).isFalse();
        assertThat(images.list()).extracting(ImageRecord::name).containsExactly("localhost/a:2", "localhost/c:1");
        assertThat(images.untag("localhost/a:2")).isTrue();
        assertThat(images.list()).extracting(ImageRecord::manifest).containsExactly(d(3));
        images.addUnnamed(M, d(4), 1);
        images.tag("localhost/d:1", M, d(3), 10);
        images.remove(d(3));
        assertThat(images.list()).extracting(ImageRecord::manifest).containsExactly(d(4));
    }

    @Test
    void unknownFieldsAreKeptAndOrderIsStable() throws Exception {
        Path index = store.root().resolve("index.json");
        String json = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","x-top":{"k":[1,2]},
                 "manifests":[{"mediaType":"%s","digest":"%s","size":5,"platform":{"os":"linux","architecture":"amd64"},
                   "annotations":{"org.opencontainers.image.ref.name":"z:1","other":"v"}}],
                 "annotations":{"keep":"me"}}""".formatted(M, d(9));
        Files.writeString(index, json);
        images.tag("a:1", M, d(1), 1);
        images.addUnnamed(M, d(2), 1);
        ObjectNode n = Json.readObject(index);
        assertThat(n.path("x-top").path("k").size()).isEqualTo(2);
        assertThat(n.path("annotations").path("keep").asText()).isEqualTo("me");
        assertThat(n.path("manifests").get(1).path("platform").path("os").asText()).isEqualTo("linux");
        assertThat(n.path("manifests").get(1).path("annotations").path("other").asText()).isEqualTo("v");
        assertThat(images.list()).extracting(ImageRecord::name).containsExactly("a:1", "z:1", null);
        byte[] before = Files.readAllBytes(index);
        images.addUnnamed(M, d(2), 1);
        assertThat(Files.readAllBytes(index)).isEqualTo(before);
    }

    @Test
    void concurrentTaggingLosesNothing() throws Exception {
        List<Future<?>> fs = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (int t = 0; t < 8; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) images.tag("localhost/t" + thread + ":" + i, M, d(thread * 10 + i), 1);
                }));
            }
            for (Future<?> f : fs) f.get();
        }
        assertThat(images.list()).hasSize(80);
    }

    @Test
    void concurrentTaggingFromTwoProcessesLosesNothing() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String cp = System.getProperty("java.class.path");
        List<Process> ps = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            ps.add(new ProcessBuilder(java, "-cp", cp, TagMain.class.getName(), store.root().toString(), "p" + p, "25")
                    .inheritIO().start());
        }
        for (Process p : ps) assertThat(p.waitFor()).isZero();
        assertThat(images.list()).hasSize(50);
    }

    /** Child process for the two-process test: tags COUNT names PREFIX-i. */
    public static final class TagMain {
        public static void main(String[] args) {
            try (Store s = Store.open(Path.of(args[0]), StoreOptions.DEFAULT)) {
                for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                    s.images().tag("localhost/" + args[1] + ":" + i, M, Digest.sha256((args[1] + i).getBytes()), 1);
                }
            }
        }
    }
}

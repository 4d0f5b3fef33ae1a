package dev.kiln.store;

import dev.kiln.oci.Digest;
import dev.kiln.oci.MediaType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GcTest {
    @TempDir
    Path dir;

    static LayerRef fakeLayer(Store s, String content) {
        Digest d = s.blobs().put(content.getBytes(StandardCharsets.UTF_8));
        return new LayerRef(d, d);
    }

    static void fakeSnapshot(Store s, Digest chainId) throws Exception {
        Path p = s.snapshots().path(chainId);
        Files.createDirectories(p.resolve("fs"));
        Files.writeString(p.resolve("meta.json"), "{}");
    }

    @Test
    void removesExactlyTheUnreferenced() throws Exception {
        Store s = Store.open(dir.resolve("store"), new StoreOptions("vfs"));
        LayerRef l1 = fakeLayer(s, "l1"), l2 = fakeLayer(s, "l2"), l3 = fakeLayer(s, "l3"), l4 = fakeLayer(s, "l4");
        Digest named = Fixtures.image(s, "localhost/kept:1", List.of(l1, l2));
        Digest dropped = Fixtures.image(s, "localhost/dropped:1", List.of(l3));
        // an index naming a manifest: everything below it stays
        Digest viaIndex = Fixtures.image(s, null, List.of(l4));
        byte[] idx = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                + MediaType.OCI_MANIFEST + "\",\"digest\":\"" + viaIndex + "\",\"size\":" + s.blobs().size(viaIndex) + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        Digest index = s.blobs().put(idx);
        s.images().tag("localhost/multi:1", MediaType.OCI_INDEX, index, idx.length);
        // a container on the dropped image keeps its manifest and layers
        LayerRef cl = fakeLayer(s, "container-base");
        Digest cImage = Fixtures.image(s, null, List.of(cl));
        s.containers().create("c", null, cImage.toString(), List.of(), Json.object(), Map.of());
        Digest stray = s.blobs().put("stray".getBytes(StandardCharsets.UTF_8));
        s.blobs().recordCompressed(l3.diffId(), "gzip", stray); // a dropped layer's compressed form goes
        Digest gz1 = s.blobs().put("l1 gzipped".getBytes(StandardCharsets.UTF_8)); // a live layer's stays
        s.blobs().recordCompressed(l1.diffId(), "gzip", gz1);
        s.blobs().recordCompressed(l2.diffId(), "gzip", l2.blob());

        List<Digest> keptChain = Snapshots.chainIds(List.of(l1.diffId(), l2.diffId()));
        for (Digest id : keptChain) fakeSnapshot(s, id);
        fakeSnapshot(s, l3.diffId());
        Files.createDirectories(s.root().resolve("tmp/snapshot-leftover/fs")); // a leftover of a kiln from before leases

        Digest droppedConfig = configOf(s, dropped);
        assertThat(s.images().untag("localhost/dropped:1")).isTrue();
        assertThat(s.gc().blobs()).isZero(); // everything is younger than the default grace period

        GcResult r = s.gc(Duration.ZERO);

        assertThat(s.blobs().has(named)).isTrue();
        assertThat(s.blobs().has(configOf(s, named))).isTrue();
        assertThat(s.blobs().has(l1.blob()) && s.blobs().has(l2.blob()) && s.blobs().has(l4.blob())).isTrue();
        assertThat(s.blobs().has(index) && s.blobs().has(viaIndex)).isTrue();
        assertThat(s.blobs().has(cImage) && s.blobs().has(cl.blob())).isTrue();
        for (Digest gone : List.of(dropped, droppedConfig, l3.blob(), stray)) assertThat(s.blobs().has(gone)).as(gone.toString()).isFalse();
        assertThat(r.blobs()).isEqualTo(4);
        assertThat(s.snapshots().list()).containsExactlyInAnyOrderElementsOf(keptChain);
        assertThat(r.snapshots()).isEqualTo(1);
        assertThat(s.blobs().compressed(l2.diffId(), "gzip")).contains(l2.blob());
        assertThat(s.blobs().compressed(l1.diffId(), "gzip")).contains(gz1);
        assertThat(s.root().resolve("compressed/gzip/" + l3.diffId().hex())).doesNotExist();
        assertThat(r.compressed()).isEqualTo(1);
        assertThat(s.root().resolve("tmp").toFile().list()).containsExactly(s.tmpDir().getFileName().toString());
        assertThat(s.tmpDir().toFile().list()).isEmpty();
        assertThat(s.gc(Duration.ZERO)).isEqualTo(new GcResult(0, 0, 0, 0, 0, 0));
    }

    @Test
    void removesOldAtomicWriteSiblingsAndRunLeftoversButKeepsSharedRunDirectories() throws Exception {
        Store s = Store.open(dir.resolve("store"), new StoreOptions("vfs"));
        Path old1 = Files.writeString(s.root().resolve("index.json.tmp-0123456789ab"), "{\"half");
        LayerRef l = fakeLayer(s, "base");
        s.containers().create("c", null, null, List.of(), Json.object(), Map.of());
        Path old2 = s.containers().dir(s.containers().get("c")).resolve("state.json.tmp-0123456789ab");
        Files.writeString(old2, "{\"id\":");
        Path bundle = Files.createDirectories(s.root().resolve("tmp/bundles/3f2a"));
        Path young = Files.writeString(s.root().resolve("index.json.tmp-ba9876543210"), "{");
        Path notOurs = Files.writeString(s.root().resolve("index.json.tmp-notours"), "{");
        for (Path p : List.of(old1, old2, bundle, s.root().resolve("tmp/bundles"))) {
            Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        }

        GcResult r = s.gc();

        assertThat(s.containers().get("c").name()).isEqualTo("c");
        assertThat(s.blobs().has(l.blob())).as("young").isTrue();
        assertThat(old1).doesNotExist();
        assertThat(old2).doesNotExist();
        assertThat(bundle).doesNotExist();
        assertThat(s.root().resolve("tmp/bundles")).isDirectory();
        assertThat(young).exists();
        assertThat(notOurs).exists();
        assertThat(r.tmpEntries()).isEqualTo(3);
    }

    @Test
    void removesBuildCacheEntriesWhoseImageIsGone() throws Exception {
        Store s = Store.open(dir.resolve("store"), new StoreOptions("vfs"));
        Digest kept = Fixtures.image(s, null, List.of(fakeLayer(s, "kept")));
        s.images().addUnnamed(MediaType.OCI_MANIFEST, kept, s.blobs().size(kept));
        Digest gone = Fixtures.image(s, "localhost/gone:1", List.of(fakeLayer(s, "gone")));
        Digest keptKey = Digest.sha256("step 1".getBytes(StandardCharsets.UTF_8));
        Digest goneKey = Digest.sha256("step 2".getBytes(StandardCharsets.UTF_8));
        s.cache().put(keptKey, kept, MediaType.OCI_MANIFEST, s.blobs().size(kept));
        s.cache().put(goneKey, gone, MediaType.OCI_MANIFEST, s.blobs().size(gone));
        s.images().untag("localhost/gone:1");
        assertThat(s.check(false).leftovers()).extracting(StoreProblem::subject).contains("cache/" + goneKey.hex());

        GcResult r = s.gc();

        assertThat(r.cacheEntries()).isEqualTo(1);
        assertThat(s.cache().keys()).containsExactly(keptKey);
        assertThat(s.check(false).problems()).isEmpty();
    }

    private static Digest configOf(Store s, Digest manifest) {
        return Digest.parse(Json.parseObject(s.blobs().read(manifest), "m").path("config").path("digest").asText());
    }
}

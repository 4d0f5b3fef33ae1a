package dev.kiln.store;

import dev.kiln.layer.Change;
import dev.kiln.layer.LayerOptions;
import dev.kiln.oci.Digest;
import dev.kiln.oci.InvalidInputException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link SnapshotDriver} must do, as containerd's snapshotter test suite: unpack
 * layers made by GNU tar (with a whiteout and an opaque directory), give a container a root that
 * shows them merged, record exactly what is written through it, write that as a layer, and
 * clean up after itself. Runs as root with the real kernel overlay.
 */
abstract class SnapshotDriverContract {
    @TempDir
    Path dir;
    Store store;
    List<LayerRef> layers;

    abstract String driverName();

    @BeforeEach
    void makeLayers() throws Exception {
        assumeLayerCodeIsMerged();
        store = Store.open(dir.resolve("store"), new StoreOptions(driverName()));
        assertThat(store.driver().name()).isEqualTo(driverName());
        Path l1 = dir.resolve("l1"), l2 = dir.resolve("l2"), l3 = dir.resolve("l3");
        Fixtures.write(l1.resolve("etc/hello"), "hello\n");
        Fixtures.write(l1.resolve("etc/two"), "two\n");
        Fixtures.write(l1.resolve("gone"), "deleted by layer 2\n");
        Fixtures.write(l1.resolve("dir/a"), "a");
        Fixtures.write(l1.resolve("dir/b"), "b");
        Fixtures.write(l2.resolve(".wh.gone"), "");
        Fixtures.write(l2.resolve("dir/.wh..wh..opq"), "");
        Fixtures.write(l2.resolve("dir/c"), "c");
        Fixtures.write(l3.resolve("etc/three"), "3");
        layers = List.of(Fixtures.layer(store, l1), Fixtures.layer(store, l2), Fixtures.layer(store, l3));
    }

    /** Until wip/layera is merged its bodies throw; skip, saying so, rather than fail. */
    static void assumeLayerCodeIsMerged() throws Exception {
        boolean stub;
        try {
            dev.kiln.layer.Decompressor.decompressing(new java.io.ByteArrayInputStream(new byte[0]));
            stub = false;
        } catch (UnsupportedOperationException e) {
            stub = true;
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(stub, "dev.kiln.layer (wip/layera) is not merged into this branch yet");
    }

    ContainerState container(String name) {
        return store.containers().create(name, "localhost/base:latest", null, layers, Json.object(), Map.of());
    }

    @Test
    void snapshotsShowTheLayersMerged() throws Exception {
        Path top = store.snapshots().ensure(layers);
        assertThat(store.snapshots().ensure(layers)).isEqualTo(top); // idempotent
        List<Digest> chain = Snapshots.chainIds(layers.stream().map(LayerRef::diffId).toList());
        assertThat(store.snapshots().list()).containsExactlyInAnyOrderElementsOf(chain);
        assertThat(top).isEqualTo(store.snapshots().path(chain.get(2)).resolve("fs"));
        var meta = Json.readObject(store.snapshots().path(chain.get(1)).resolve("meta.json"));
        assertThat(meta.path("diffId").asText()).isEqualTo(layers.get(1).diffId().toString());
        assertThat(meta.path("parent").asText()).isEqualTo(chain.get(0).toString());
        assertThat(meta.path("driver").asText()).isEqualTo(driverName());

        ContainerState c = container("view");
        Path root = store.containers().mount(c);
        assertThat(tree(root)).containsExactly("dir", "dir/c", "etc", "etc/hello", "etc/three", "etc/two");
        store.containers().remove(c);
        assertThat(store.tmpDir().toFile().list()).isEmpty();
    }

    @Test
    void writesThroughTheMountAreTheChangesAndTheDiff() throws Exception {
        ContainerState c = container("work");
        Path root = store.containers().mount(c);
        Files.writeString(root.resolve("new"), "new");
        Files.writeString(root.resolve("etc/hello"), "changed\n");
        Files.delete(root.resolve("etc/two"));
        Fixtures.write(root.resolve("newdir/f"), "f");
        store.containers().unmount(c);
        assertThat(mounted()).isEmpty();

        assertThat(store.containers().changes(c)).extracting(Change::toString)
                .containsExactly("C /etc/hello", "D /etc/two", "A /new", "A /newdir", "A /newdir/f");
        assertThat(diffEntries(c)).containsExactly("etc", "etc/.wh.two", "etc/hello", "new", "newdir", "newdir/f");

        store.containers().remove(c);
        assertThat(store.containers().dir(c)).doesNotExist();
        assertThat(mounted()).isEmpty();
    }

    @Test
    void mountWithoutWritesChangesNothing() throws Exception {
        ContainerState c = container("idle");
        Path root = store.containers().mount(c);
        assertThat(Files.readString(root.resolve("etc/hello"))).isEqualTo("hello\n");
        if (driverName().equals("overlay")) assertThat(mounted()).hasSize(1);
        store.containers().unmount(c);
        assertThat(store.containers().changes(c)).isEmpty();
        assertThat(diffEntries(c)).isEmpty();
        store.containers().mount(c);
        store.containers().remove(c);
        assertThat(mounted()).isEmpty();
        assertThat(store.root().resolve("containers").toFile().list()).isEmpty();
    }

    @Test
    void concurrentEnsureBuildsEachSnapshotOnce() throws Exception {
        List<java.util.concurrent.Future<Path>> tops = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 4; i++) tops.add(pool.submit(() -> store.snapshots().ensure(layers)));
        }
        for (var f : tops) assertThat(f.get()).isEqualTo(tops.getFirst().get());
        assertThat(store.snapshots().list()).hasSize(3);
        assertThat(store.tmpDir().toFile().list()).isEmpty();
        assertThat(tree(tops.getFirst().get())).contains("etc/three");
    }

    @Test
    void aLayerNotMatchingItsDiffIdLeavesNoSnapshot() {
        LayerRef lying = new LayerRef(layers.get(1).diffId(), layers.get(0).blob());
        assertThatThrownBy(() -> store.snapshots().ensure(List.of(lying)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("does not match its diffID");
        assertThat(store.snapshots().list()).isEmpty();
        assertThat(store.tmpDir().toFile().list()).isEmpty();
    }

    /** Paths below {@code root}, relative, sorted. */
    static List<String> tree(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    /** Entry names of the container's diff, as GNU tar lists them, without "./" and trailing "/". */
    List<String> diffEntries(ContainerState c) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.containers().writeDiff(c, out, LayerOptions.DEFAULT);
        Path tar = dir.resolve("diff-" + c.name() + ".tar");
        Files.write(tar, out.toByteArray());
        if (out.size() == 0) return List.of();
        String listing = Fixtures.run("tar", "-tf", tar.toString());
        return Arrays.stream(listing.split("\n")).filter(s -> !s.isBlank())
                .map(s -> s.replaceFirst("^\\./", "").replaceFirst("/$", ""))
                .filter(s -> !s.isEmpty() && !s.equals("."))
                .collect(Collectors.toCollection(TreeSet::new)).stream().toList();
    }

    List<String> mounted() throws Exception {
        return Fixtures.mountPoints().stream().filter(m -> m.startsWith(store.root().toString())).toList();
    }
}

package dev.kiln.store;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class VfsDriverTest extends SnapshotDriverContract {
    @Override
    String driverName() {
        return "vfs";
    }

    @Test
    void aSnapshotIsTheWholeTreeUpToItsLayer() throws Exception {
        store.snapshots().ensure(layers);
        Path second = store.snapshots().lowerDirs(layers).get(1);
        assertThat(tree(second)).containsExactly("dir", "dir/c", "etc", "etc/hello", "etc/two");
    }
}

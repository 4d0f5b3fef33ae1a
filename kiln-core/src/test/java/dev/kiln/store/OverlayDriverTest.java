package dev.kiln.store;

import dev.kiln.linux.Linux;
import dev.kiln.layer.Whiteouts;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OverlayDriverTest extends SnapshotDriverContract {
    @Override
    String driverName() {
        return "overlay";
    }

    @Test
    void aSnapshotIsTheLayerAloneInOverlayForm() throws Exception {
        store.snapshots().ensure(layers);
        Path second = store.snapshots().lowerDirs(layers).get(1);
        assertThat(tree(second)).containsExactly("dir", "dir/c", "gone");
        assertThat(Files.readAttributes(second.resolve("gone"), "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS))
                .containsEntry("mode", 020000).containsEntry("rdev", 0L);
        assertThat(Linux.getXattr(second.resolve("dir"), Whiteouts.OVERLAY_OPAQUE_XATTR)).containsExactly('y');
    }

    @Test
    void manyLayersFitTheMountOptions() throws Exception {
        List<LayerRef> many = new java.util.ArrayList<>(layers);
        for (int i = 0; i < 60; i++) {
            Path l = dir.resolve("many/" + i);
            Fixtures.write(l.resolve("f" + i), Integer.toString(i));
            many.add(Fixtures.layer(store, l));
        }
        ContainerState c = store.containers().create("many", null, null, many, Json.object(), Map.of());
        Path root = store.containers().mount(c);
        assertThat(Files.readString(root.resolve("f59"))).isEqualTo("59");
        assertThat(Files.readString(root.resolve("etc/hello"))).isEqualTo("hello\n");
        store.containers().remove(c);
    }
}

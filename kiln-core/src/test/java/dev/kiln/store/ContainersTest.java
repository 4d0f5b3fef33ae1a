package dev.kiln.store;

import dev.kiln.oci.ConflictException;
import dev.kiln.oci.NotFoundException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** FROM scratch containers (no layers), so this runs without the layer code. */
class ContainersTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"overlay", "vfs"})
    void createFindSaveRemove(String driver) throws Exception {
        Store store = Store.open(dir.resolve("store"), new StoreOptions(driver));
        Containers cs = store.containers();
        ContainerState a = cs.create("scratch-working-container", null, null, List.of(), Json.object().put("os", "linux"), Map.of("k", "v"));
        assertThat(a.id()).matches("[0-9a-f]{64}");
        assertThat(cs.uniqueName("scratch-working-container")).isEqualTo("scratch-working-container-1");
        ContainerState b = cs.create(cs.uniqueName("scratch-working-container"), null, null, List.of(), Json.object(), Map.of());
        assertThat(cs.uniqueName("scratch-working-container")).isEqualTo("scratch-working-container-2");
        assertThat(cs.uniqueName("other")).isEqualTo("other");
        assertThatThrownBy(() -> cs.create("scratch-working-container", null, null, List.of(), Json.object(), Map.of()))
                .isInstanceOf(ConflictException.class).hasMessageContaining("already in use");

        assertThat(cs.get("scratch-working-container")).isEqualTo(a);
        assertThat(cs.get(a.id())).isEqualTo(a);
        assertThat(cs.find(b.id().substring(0, 12))).contains(b);
        assertThat(cs.find("nope")).isEmpty();
        assertThatThrownBy(() -> cs.get("nope")).isInstanceOf(NotFoundException.class)
                .hasMessage("no container named nope (list them with kiln containers)");
        assertThat(cs.list()).containsExactly(a, b);

        ContainerState edited = new ContainerState(a.id(), a.name(), a.imageName(), a.imageManifest(), a.baseLayers(),
                Json.object().put("os", "linux").put("User", "1000"), a.created(), Map.of("k", "w"));
        cs.save(edited);
        assertThat(cs.get(a.id())).isEqualTo(edited);

        Path root = cs.mount(a);
        Files.writeString(root.resolve("file"), "x");
        assertThat(cs.mount(a)).isEqualTo(root); // idempotent
        cs.unmount(a);
        cs.unmount(a);
        assertThat(Fixtures.mountPoints()).noneMatch(m -> m.startsWith(store.root().toString()));
        cs.mount(a);

        cs.remove(a);
        assertThat(cs.dir(a)).doesNotExist();
        assertThat(cs.find(a.id())).isEmpty();
        assertThat(Fixtures.mountPoints()).noneMatch(m -> m.startsWith(store.root().toString()));
        assertThat(store.tmpDir().toFile().list()).isEmpty();
        cs.remove(b);
        assertThat(cs.list()).isEmpty();
    }
}

package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seed workflow of the Buildah chapter, without RUN, through the library, on both drivers:
 * from scratch + add a layer tarball + commit; from that image; mount + copy + umount; config;
 * diff; commit; commit --squash; a tagged intermediate reused by a second from; rm/rmi leave
 * nothing unreferenced.
 */
@Tag("privileged")
class SeedWorkflowTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @BeforeEach
    void needsRoot() {
        Tools.requireRoot();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlay", "vfs"})
    void seedWorkflowWithoutRun(String driver) throws Exception {
        Path root = tmp.resolve("store");
        Path busybox = Fixtures.busyboxRootfsTar();
        try (Kiln kiln = Kiln.open(new KilnOptions(root, driver))) {
            assertThat(kiln.storageDriver()).isEqualTo(driver);

            WorkingContainer base = kiln.from("scratch", "base-layer");
            assertThat(base.name()).isEqualTo("base-layer");
            base.add(List.of(busybox.toString()), "/", CopyOptions.add());
            base.config(change(c -> c.cmd = "/bin/sh"));
            CommitResult assembled = base.commit("assembled-image", CommitOptions.defaults());
            assertThat(assembled.name()).isEqualTo("localhost/assembled-image:latest");
            assertThat(layers(kiln, "assembled-image")).hasSize(1);

            WorkingContainer ctr = kiln.from("assembled-image", null);
            assertThat(ctr.name()).isEqualTo("assembled-image-working-container");
            Path mnt = ctr.mount();
            assertThat(mnt.resolve("bin/busybox")).isRegularFile();
            Files.writeString(mnt.resolve("etc/custom.conf"), "custom=1\n");
            ctr.unmount();
            ctr.config(change(c -> c.cmd = "cat /etc/custom.conf"));
            assertThat(ctr.diff()).containsExactly(new FileChange('A', "/etc/custom.conf"));

            CommitResult customized = ctr.commit("customized-image", CommitOptions.defaults());
            List<JsonNode> customizedLayers = layers(kiln, "customized-image");
            assertThat(customizedLayers).hasSize(2);
            assertThat(customizedLayers.getFirst()).isEqualTo(layers(kiln, "assembled-image").getFirst());
            assertThat(kiln.diff("customized-image", null)).containsExactly(new FileChange('A', "/etc/custom.conf"));
            assertThat(kiln.diff("customized-image", "assembled-image")).containsExactly(new FileChange('A', "/etc/custom.conf"));
            JsonNode config = JSON.readTree(kiln.inspectImage("customized-image")).path("Config").path("config");
            assertThat(config.path("Cmd").toString()).isEqualTo("[\"cat\",\"/etc/custom.conf\"]");
            assertThat(tarNames(root, customizedLayers.get(1))).contains("etc/custom.conf");

            CommitResult squashed = ctr.commit("final-image", new CommitOptions(true, "oci", null, null, false, null));
            List<JsonNode> squashedLayers = layers(kiln, "final-image");
            assertThat(squashedLayers).hasSize(1);
            assertThat(tarNames(root, squashedLayers.getFirst())).contains("bin/busybox", "etc/custom.conf");
            assertThat(squashed.imageId()).isNotEqualTo(customized.imageId());

            assertThat(kiln.tag("customized-image", "base-with-conf:1.0")).isEqualTo("localhost/base-with-conf:1.0");
            WorkingContainer second = kiln.from("base-with-conf:1.0", null);
            assertThat(second.name()).isEqualTo("base-with-conf-working-container");
            assertThat(Files.readString(second.mount().resolve("etc/custom.conf"))).isEqualTo("custom=1\n");
            second.unmount();
            assertThat(kiln.containers()).extracting(ContainerInfo::name)
                    .containsExactlyInAnyOrder("base-layer", "assembled-image-working-container", "base-with-conf-working-container");

            assertThat(kiln.removeAllContainers()).hasSize(3);
            kiln.removeAllImages(false);
            assertThat(kiln.images()).isEmpty();
            assertThat(kiln.containers()).isEmpty();
        }
        assertThat(listDir(root.resolve("blobs/sha256"))).as("blobs left").isEmpty();
        assertThat(listDir(root.resolve("snapshots"))).as("snapshots left").isEmpty();
        assertThat(listDir(root.resolve("containers"))).as("containers left").isEmpty();
        assertThat(Tools.exec(null, List.of("grep", "-c", root.toString(), "/proc/self/mountinfo")).stdout().strip()).isEqualTo("0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlay", "vfs"})
    void mountWithoutWritesCommitsNoFiles(String driver) throws Exception {
        Path root = tmp.resolve("store");
        try (Kiln kiln = Kiln.open(new KilnOptions(root, driver))) {
            WorkingContainer base = kiln.from("scratch", null);
            base.add(List.of(Fixtures.busyboxRootfsTar().toString()), "/", CopyOptions.add());
            base.commit("bb", CommitOptions.defaults());
            WorkingContainer ctr = kiln.from("bb", null);
            Path mnt = ctr.mount();
            try (Stream<Path> s = Files.walk(mnt)) {
                assertThat(s.count()).isGreaterThan(100); // read everything
            }
            ctr.unmount();
            assertThat(ctr.diff()).isEmpty();
            ctr.commit("same", CommitOptions.defaults());
            assertThat(tarNames(root, layers(kiln, "same").get(1))).isEmpty();
        }
    }

    static List<JsonNode> layers(Kiln kiln, String image) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(kiln.inspectImage(image)).path("Manifest").path("layers").forEach(out::add);
        return out;
    }

    static List<String> tarNames(Path root, JsonNode layer) throws Exception {
        String hex = layer.path("digest").asText().substring("sha256:".length());
        String out = Tools.run("tar", "-tf", root.resolve("blobs/sha256").resolve(hex).toString()).stdout();
        List<String> names = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) continue;
            String n = line.startsWith("./") ? line.substring(2) : line;
            names.add(n.endsWith("/") ? n.substring(0, n.length() - 1) : n);
        }
        return names;
    }

    static List<Path> listDir(Path dir) throws Exception {
        if (!Files.exists(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    /** A ConfigChange built by setting a few fields. */
    static ConfigChange change(java.util.function.Consumer<ConfigFields> edit) {
        ConfigFields f = new ConfigFields();
        edit.accept(f);
        return new ConfigChange(f.env, f.cmd, f.entrypoint, f.workingDir, f.user, f.labels, List.of(), List.of(), List.of(),
                null, null, null, null, null, null, null, null, null, null, null, List.of());
    }

    static final class ConfigFields {
        List<String> env = List.of();
        List<String> labels = List.of();
        String cmd;
        String entrypoint;
        String workingDir;
        String user;
    }
}

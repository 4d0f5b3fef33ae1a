package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import dev.kiln.testing.TreeListing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What kiln writes, buildah, skopeo and umoci read; and what buildah writes, kiln reads. */
@Tag("interop")
@Tag("privileged")
class InteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path root;

    @BeforeEach
    void setUp() {
        Tools.requireRoot();
        root = tmp.resolve("store");
    }

    /** buildah with its own private storage, so tests never touch the machine's. */
    private List<String> buildah(String... args) {
        List<String> cmd = new ArrayList<>(List.of("buildah", "--root", tmp.resolve("buildah/root").toString(),
                "--runroot", tmp.resolve("buildah/run").toString(), "--storage-driver", "vfs"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private String run(List<String> cmd) throws Exception {
        return Tools.exec(null, cmd).orFail(String.join(" ", cmd)).stdout();
    }

    private CommitResult busyboxWithFile(Kiln kiln, String name) throws Exception {
        WorkingContainer ctr = kiln.from("scratch", null);
        ctr.add(List.of(Fixtures.busyboxRootfsTar().toString()), "/", CopyOptions.add());
        Path file = tmp.resolve("file");
        Files.writeString(file, "written by kiln\n");
        ctr.add(List.of(file.toString()), "/file", CopyOptions.copy());
        ctr.config(SeedWorkflowTest.change(c -> c.cmd = "/bin/sh"));
        return ctr.commit(name, CommitOptions.defaults());
    }

    @Test
    void buildahPullsAndRunsWhatKilnPushedToAnOciArchive() throws Exception {
        Tools.require("buildah");
        Tools.require("runc");
        Path archive = tmp.resolve("bb.tar");
        try (Kiln kiln = Kiln.open(root)) {
            busyboxWithFile(kiln, "bb");
            kiln.push("bb", "oci-archive:" + archive + ":bb", PushOptions.defaults());
        }
        run(buildah("pull", "oci-archive:" + archive + ":bb"));
        String ctr = run(buildah("from", "--quiet", "oci-archive:" + archive + ":bb")).strip();
        String out = run(buildah("run", "--runtime", "runc", "--network", "host", ctr, "--", "sh", "-c", "cat /file"));
        assertThat(out).isEqualTo("written by kiln\n");
        run(buildah("rm", ctr));
    }

    @Test
    void skopeoReadsTheStoreDirectly() throws Exception {
        Tools.require("skopeo");
        String imageId;
        try (Kiln kiln = Kiln.open(root)) {
            imageId = busyboxWithFile(kiln, "app").imageId();
        }
        JsonNode config = JSON.readTree(run(List.of("skopeo", "inspect", "--config", "oci:" + root + ":localhost/app:latest")));
        assertThat(config.path("config").path("Cmd").toString()).isEqualTo("[\"/bin/sh\"]");
        String raw = run(List.of("skopeo", "inspect", "--raw", "oci:" + root + ":localhost/app:latest"));
        assertThat(JSON.readTree(raw).path("config").path("digest").asText()).isEqualTo("sha256:" + imageId);
    }

    @Test
    void umociUnpacksTheSameTreeKilnMounts() throws Exception {
        Tools.require("umoci");
        Path layout = tmp.resolve("layout");
        Map<String, String> kilnTree;
        try (Kiln kiln = Kiln.open(root)) {
            busyboxWithFile(kiln, "app");
            kiln.push("app", "oci:" + layout + ":app", PushOptions.defaults());
            WorkingContainer ctr = kiln.from("app", null);
            kilnTree = TreeListing.of(ctr.mount(), Set.of());
            ctr.unmount();
        }
        Path bundle = tmp.resolve("bundle");
        run(List.of("umoci", "unpack", "--image", layout + ":app", bundle.toString()));
        assertThat(TreeListing.of(bundle.resolve("rootfs"), Set.of())).isEqualTo(kilnTree);
    }

    @Test
    void kilnPullsWhatBuildahPushedAndKeepsItsLayers() throws Exception {
        Tools.require("buildah");
        Tools.require("skopeo");
        String ctr = run(buildah("from", "--quiet", "scratch")).strip();
        run(buildah("add", ctr, Fixtures.busyboxRootfsTar().toString(), "/"));
        run(buildah("config", "--cmd", "/bin/sh", ctr));
        run(buildah("commit", "--quiet", ctr, "localhost/from-buildah"));
        Path archive = tmp.resolve("from-buildah.tar");
        run(buildah("push", "localhost/from-buildah", "oci-archive:" + archive + ":from-buildah"));
        JsonNode theirs = JSON.readTree(run(List.of("skopeo", "inspect", "--raw", "oci-archive:" + archive + ":from-buildah")));
        try (Kiln kiln = Kiln.open(root)) {
            ImageInfo pulled = kiln.pull("oci-archive:" + archive + ":from-buildah");
            assertThat(pulled.names()).containsExactly("localhost/from-buildah:latest");
            List<JsonNode> ours = SeedWorkflowTest.layers(kiln, pulled.id());
            assertThat(ours).hasSize(theirs.path("layers").size());
            for (int i = 0; i < ours.size(); i++) {
                assertThat(ours.get(i).path("digest")).isEqualTo(theirs.path("layers").get(i).path("digest"));
                assertThat(ours.get(i).path("size")).isEqualTo(theirs.path("layers").get(i).path("size"));
            }
            WorkingContainer c = kiln.from("from-buildah", null);
            assertThat(c.mount().resolve("bin/busybox")).isRegularFile();
            c.unmount();
        }
    }
}

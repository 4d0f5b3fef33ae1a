package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.NotFoundException;
import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import dev.kiln.testing.TreeListing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** add/copy as buildah: directories' contents, globs, --chown by name or id, --chmod, extraction only for add. */
@Tag("privileged")
class AddCopyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Kiln kiln;
    private WorkingContainer ctr;
    private Path ctx;

    @BeforeEach
    void setUp() throws Exception {
        Tools.requireRoot();
        kiln = Kiln.open(tmp.resolve("store"));
        WorkingContainer base = kiln.from("scratch", null);
        base.add(List.of(Fixtures.busyboxRootfsTar().toString()), "/", CopyOptions.add());
        base.commit("bb", CommitOptions.defaults());
        ctr = kiln.from("bb", null);
        ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.createDirectories(ctx.resolve("dir/sub"));
        Files.writeString(ctx.resolve("dir/a.txt"), "a");
        Files.writeString(ctx.resolve("dir/sub/b.txt"), "b");
        Files.writeString(ctx.resolve("one.conf"), "1");
        Files.writeString(ctx.resolve("two.conf"), "2");
        Files.writeString(ctx.resolve("three.txt"), "3");
    }

    @AfterEach
    void tearDown() {
        if (kiln != null) kiln.close();
    }

    private CopyOptions opts(String chown, String chmod, boolean extract) {
        return new CopyOptions(chown, chmod, extract, ctx);
    }

    private String describe(String path) throws Exception {
        Path root = ctr.mount();
        try {
            return TreeListing.describe(root.resolve(path.substring(1)));
        } finally {
            ctr.unmount();
        }
    }

    @Test
    void aDirectoryCopiesItsContentsAndGlobsPickFiles() throws Exception {
        ctr.add(List.of("dir"), "/app", opts(null, null, false));
        ctr.add(List.of("*.conf"), "/etc/", opts(null, null, false));
        assertThat(ctr.diff()).extracting(FileChange::toString).contains(
                "A /app", "A /app/a.txt", "A /app/sub", "A /app/sub/b.txt", "A /etc/one.conf", "A /etc/two.conf")
                .doesNotContain("A /etc/three.txt", "A /app/dir");
    }

    @Test
    void chownByNameOrIdAndChmod() throws Exception {
        ctr.add(List.of("one.conf"), "/srv/one.conf", opts("www-data:users", "0640", false));
        ctr.add(List.of("two.conf"), "/srv/two.conf", opts("1234:5678", null, false));
        assertThat(describe("/srv/one.conf")).startsWith("file 640 33:100 ");
        assertThat(describe("/srv/two.conf")).startsWith("file 644 1234:5678 ");
        assertThatThrownBy(() -> ctr.add(List.of("one.conf"), "/x", opts("nosuchuser", null, false)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("nosuchuser");
        assertThatThrownBy(() -> ctr.add(List.of("one.conf"), "/x", opts(null, "rwx", false)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("--chmod");
    }

    @Test
    void aUidAloneIsAlsoTheGidAndTheDirectoriesACopyCreatesGetTheOwner() throws Exception {
        // www-data is uid 33 with primary group 33; nobody is 65534 with primary group nogroup (65534).
        ctr.add(List.of("one.conf"), "/srv/a/b/", opts("4321", null, false));
        ctr.add(List.of("dir"), "/srv/a/b/c", opts("www-data", null, false));
        ctr.add(List.of("two.conf"), "/srv/root/", opts(null, null, false));
        assertThat(describe("/srv")).isEqualTo("dir 755 4321:4321");
        assertThat(describe("/srv/a/b")).isEqualTo("dir 755 4321:4321");
        assertThat(describe("/srv/a/b/one.conf")).startsWith("file 644 4321:4321 ");
        assertThat(describe("/srv/a/b/c")).isEqualTo("dir 755 33:33");
        assertThat(describe("/srv/a/b/c/sub/b.txt")).startsWith("file 644 33:33 ");
        assertThat(describe("/srv/root")).isEqualTo("dir 755 0:0");
    }

    @Test
    void relativeDestinationsFollowTheWorkingDirectory() throws Exception {
        ctr.config(SeedWorkflowTest.change(c -> c.workingDir = "/work"));
        ctr.add(List.of("one.conf"), "conf/", opts(null, null, false));
        assertThat(ctr.diff()).extracting(FileChange::toString).contains("A /work/conf/one.conf");
    }

    @Test
    void addExtractsArchivesAndCopyNever() throws Exception {
        Path tar = tmp.resolve("dir.tar.gz");
        Tools.run("tar", "-czf", tar.toString(), "-C", ctx.resolve("dir").toString(), ".");
        ctr.add(List.of(tar.toString()), "/x/", opts(null, null, true));
        ctr.add(List.of(tar.toString()), "/y/", opts(null, null, false));
        assertThat(ctr.diff()).extracting(FileChange::toString)
                .contains("A /x/a.txt", "A /x/sub/b.txt", "A /y/dir.tar.gz").doesNotContain("A /y/a.txt");
    }

    @Test
    void aMissingSourceFailsBeforeAnythingIsCopied() throws Exception {
        Map<String, Long> before = TreeListing.files(tmp.resolve("store"));
        assertThatThrownBy(() -> ctr.add(List.of("one.conf", "missing.conf"), "/etc/", opts(null, null, false)))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("missing.conf");
        assertThat(ctr.diff()).isEmpty();
        assertThat(TreeListing.files(tmp.resolve("store"))).isEqualTo(before);
    }

    @Test
    void dockerFormatKeepsHealthcheckAndZstdCompressesTheLayer() throws Exception {
        ctr.config(new ConfigChange(List.of(), null, null, null, null, List.of(), List.of(), List.of(), List.of(),
                null, null, null, null, null, "[\"/bin/sh\",\"-c\"]", "CMD true", "30s", null, null, 2, List.of("RUN true")));
        ctr.commit("docker-img", new CommitOptions(false, "docker", null, "zstd", false, null));
        JsonNode img = JSON.readTree(kiln.inspectImage("docker-img"));
        assertThat(img.path("ManifestType").asText()).isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
        assertThat(img.path("Manifest").path("layers").get(1).path("mediaType").asText())
                .isEqualTo("application/vnd.docker.image.rootfs.diff.tar.zstd");
        assertThat(img.path("Config").path("config").path("Healthcheck").path("Test").toString()).isEqualTo("[\"CMD\",\"true\"]");
        assertThat(img.path("Config").path("config").path("OnBuild").toString()).isEqualTo("[\"RUN true\"]");
        assertThat(img.path("Config").path("config").path("Shell").toString()).isEqualTo("[\"/bin/sh\",\"-c\"]");

        ctr.commit("oci-img", CommitOptions.defaults());
        JsonNode oci = JSON.readTree(kiln.inspectImage("oci-img")).path("Config").path("config");
        assertThat(oci.has("Healthcheck") || oci.has("OnBuild") || oci.has("Shell")).as("OCI configs cannot hold them").isFalse();

        Path layout = tmp.resolve("layout");
        assertThatThrownBy(() -> kiln.push("oci-img", "oci:" + layout + ":x", new PushOptions("v2s2", "zstd")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("OCI manifests only");
        kiln.push("docker-img", "oci:" + layout + ":x", new PushOptions(null, "zstd"));
        String raw = Tools.run("skopeo", "inspect", "--raw", "oci:" + layout + ":x").stdout();
        assertThat(raw).contains("application/vnd.oci.image.manifest.v1+json", "tar+zstd").doesNotContain("docker");
    }
}

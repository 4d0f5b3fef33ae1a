package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed workflow (without RUN) through the CLI, in-process, on a fresh store. */
@Tag("privileged")
class CliEndToEndTest {
    private static final String IMAGE_ID = "[0-9a-f]{64}";

    @TempDir
    Path tmp;

    @BeforeEach
    void needsRoot() {
        Tools.requireRoot();
    }

    @Test
    void seedWorkflow() throws Exception {
        Cli kiln = new Cli(tmp.resolve("store"));
        Path busybox = Fixtures.busyboxRootfsTar();

        assertThat(kiln.ok("from", "--name", "base", "scratch")).isEqualTo("base");
        assertThat(kiln.ok("add", "base", busybox.toString(), "/")).isEmpty();
        assertThat(kiln.ok("config", "--cmd", "/bin/sh", "--env", "A=1", "-l", "k=v", "base")).isEmpty();
        String bb = kiln.ok("commit", "base", "bb");
        assertThat(bb).matches(IMAGE_ID);

        assertThat(kiln.ok("from", "bb")).isEqualTo("bb-working-container");
        assertThat(kiln.ok("containers")).startsWith("CONTAINER ID").contains("bb-working-container", bb.substring(0, 12));
        Path mounted = Path.of(kiln.ok("mount", "bb-working-container"));
        Files.writeString(mounted.resolve("etc/custom.conf"), "custom\n");
        assertThat(kiln.ok("umount", "bb-working-container")).matches(IMAGE_ID); // buildah prints the container id

        assertThat(kiln.ok("diff", "bb-working-container")).isEqualTo("A /etc/custom.conf");
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(kiln.ok("diff", "--format", "json", "bb-working-container"));
        assertThat(json.fieldNames()).toIterable().containsExactly("changed", "added", "deleted");
        assertThat(json.path("added").toString()).isEqualTo("[\"/etc/custom.conf\"]");
        assertThat(json.path("changed").size() + json.path("deleted").size()).isZero();

        String app = kiln.ok("commit", "bb-working-container", "app");
        String squashed = kiln.ok("commit", "--squash", "-q", "bb-working-container", "app-squashed");
        assertThat(app).matches(IMAGE_ID).isNotEqualTo(bb);
        assertThat(squashed).matches(IMAGE_ID).isNotEqualTo(app);
        assertThat(kiln.ok("diff", "app")).isEqualTo("A /etc/custom.conf");

        String images = kiln.ok("images");
        assertThat(images.lines().findFirst().orElseThrow()).matches("REPOSITORY +TAG +IMAGE ID +CREATED +SIZE");
        assertThat(images).contains("localhost/bb", "localhost/app ", "localhost/app-squashed", "latest",
                app.substring(0, 12), squashed.substring(0, 12), " MB").containsPattern("(seconds|second) ago");
        assertThat(kiln.ok("images", "--quiet").lines()).contains(bb.substring(0, 12), app.substring(0, 12), squashed.substring(0, 12)); // buildah truncates ids

        assertThat(kiln.ok("tag", "app", "app:1.0")).isEmpty();
        assertThat(kiln.ok("images", "--noheading")).containsPattern("localhost/app +1\\.0 +" + app.substring(0, 12));
        assertThat(kiln.ok("inspect", "app:1.0")).contains(app, "\"/bin/sh\"");
        assertThat(kiln.ok("inspect", "bb-working-container")).contains("bb-working-container");
        assertThat(kiln.ok("inspect", "--type", "image", "bb")).contains(bb);

        Path archive = tmp.resolve("app.tar");
        Path digestFile = tmp.resolve("digest");
        assertThat(kiln.ok("push", "--digestfile", digestFile.toString(), "app", "oci-archive:" + archive)).isEmpty();
        assertThat(Files.readString(digestFile)).matches("sha256:[0-9a-f]{64}");
        Cli other = new Cli(tmp.resolve("store2"));
        assertThat(other.ok("pull", "oci-archive:" + archive)).isEqualTo(app);
        assertThat(other.ok("images", "--quiet")).isEqualTo(app.substring(0, 12));

        assertThat(kiln.ok("rm", "--all").lines()).hasSize(2);
        assertThat(kiln.ok("containers", "--quiet")).isEmpty();
        assertThat(kiln.ok("rmi", "--all").lines()).contains(bb, app, squashed);
        assertThat(kiln.ok("images", "--quiet")).isEmpty();
        assertThat(kiln.ok("gc")).isNotEmpty();
    }
}

package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.ContainerConfig;
import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Kiln.build} and the base image: the pull policy, the default PATH, ONBUILD triggers. */
@Tag("privileged")
class BuildFromTest {
    @TempDir
    Path tmp;

    Kiln kiln;
    Path ctx;
    ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @BeforeEach
    void busybox() throws Exception {
        Tools.requireRoot();
        Tools.require("runc");
        kiln = Kiln.open(tmp.resolve("store"));
        WorkingContainer ctr = kiln.from("scratch", null);
        ctr.add(List.of(Fixtures.busyboxRootfsTar().toString()), "/", CopyOptions.add());
        ctr.commit("localhost/busybox", new CommitOptions(false, "docker", null, null, true, null));
        ctx = Files.createDirectories(tmp.resolve("ctx"));
    }

    @AfterEach
    void close() {
        if (kiln != null) kiln.close();
    }

    private BuildResult build(String dockerfile, BuildRequest req) throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        return kiln.build(req.withProgress(new PrintStream(progress, true, StandardCharsets.UTF_8)));
    }

    private ContainerConfig config(String image) {
        WorkingContainer c = kiln.from(image, null);
        try {
            return c.imageConfig().config();
        } finally {
            kiln.removeContainer(c.id());
        }
    }

    @Test
    void pullNeverRefusesAMissingImageWithoutLookingItUp() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> build("FROM docker.io/library/nosuchimage:1\n", BuildRequest.of(ctx).withPull("never")))
                .isInstanceOf(BuildException.class)
                .hasMessage("Dockerfile:1: FROM docker.io/library/nosuchimage:1: no image 'docker.io/library/nosuchimage:1' "
                        + "in the store, and the pull policy is never");
        assertThatThrownBy(() -> build("FROM localhost/busybox\nCOPY --from=nosuchstage /x /x\n", BuildRequest.of(ctx).withPull("never")))
                .isInstanceOf(BuildException.class).hasMessageContaining("COPY --from=nosuchstage /x /x: no image 'nosuchstage' in the store");
        // No registry was tried (kiln's pull retries for seconds before giving up).
        assertThat(System.nanoTime() - t0).isLessThan(2_000_000_000L);
        assertThat(kiln.containers()).isEmpty();
        assertThatThrownBy(() -> BuildRequest.of(ctx).withPull("always")).hasMessageContaining("'missing' or 'never'");
    }

    @Test
    void aStageWhoseBaseSetsNoPathGetsTheDefaultOne() throws Exception {
        WorkingContainer withPath = kiln.from("localhost/busybox", null);
        withPath.config(new ConfigChange(List.of("PATH=/opt/bin", "A=1"), null, null, null, null, List.of(), List.of(), List.of(),
                List.of(), null, null, null, null, null, null, null, null, null, null, null, List.of()));
        withPath.commit("localhost/withpath", new CommitOptions(false, "docker", null, null, true, null));
        build("FROM localhost/busybox\nRUN test \"$PATH\" = /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n",
                BuildRequest.of(ctx).withTags("bb"));
        assertThat(config("bb").env()).containsExactly("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        build("FROM scratch\nLABEL a=b\n", BuildRequest.of(ctx).withTags("fromscratch"));
        assertThat(config("fromscratch").env()).containsExactly("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        build("FROM localhost/withpath\nLABEL a=b\n", BuildRequest.of(ctx).withTags("own"));
        assertThat(config("own").env()).containsExactly("PATH=/opt/bin", "A=1");
    }
}

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
import java.util.Map;
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
                .hasMessageStartingWith("Dockerfile:1: FROM docker.io/library/nosuchimage:1: no image "
                        + "'docker.io/library/nosuchimage:1' in the store ")
                .hasMessageContaining("the pull policy is never");
        assertThatThrownBy(() -> build("FROM localhost/busybox\nCOPY --from=nosuchstage /x /x\n", BuildRequest.of(ctx).withPull("never")))
                .isInstanceOf(BuildException.class).hasMessageContaining("COPY --from=nosuchstage /x /x: no image 'nosuchstage' in the store");
        // No registry was tried (kiln's pull retries for seconds before giving up).
        assertThat(System.nanoTime() - t0).isLessThan(2_000_000_000L);
        assertThat(kiln.containers()).isEmpty();
        assertThatThrownBy(() -> BuildRequest.of(ctx).withPull("sometimes")).hasMessageContaining("missing, always or never");
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

    private void baseWithTriggers(String name, String... triggers) {
        WorkingContainer ctr = kiln.from("localhost/busybox", null);
        ctr.config(new ConfigChange(List.of(), null, null, null, null, List.of(), List.of(), List.of(), List.of(), null, null,
                null, null, null, null, null, null, null, null, null, List.of(triggers)));
        ctr.commit(name, new CommitOptions(false, "docker", null, null, true, null));
    }

    @Test
    void onbuildTriggersRunAfterFromAsNumberedStepsAndAreNotInherited() throws Exception {
        baseWithTriggers("localhost/trig", "ENV GREETING=hello", "RUN echo $GREETING > /greeting");
        BuildResult r = build("FROM localhost/trig\nRUN cat /greeting\n", BuildRequest.builder(ctx).tag("child").format("docker").build());
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("STEP 1/2: FROM localhost/trig\n",
                "STEP 2/4: ENV GREETING=hello\n", "STEP 3/4: RUN echo $GREETING > /greeting\n", "STEP 4/4: RUN cat /greeting\nhello\n");
        assertThat(config("child").onBuild()).isEmpty();
        assertThat(config("child").envValue("GREETING")).contains("hello");
        assertThat(r.stagesBuilt()).containsExactly("0");
    }

    @Test
    void aFailingOrBrokenTriggerNamesTheFromLineAndTheImage() throws Exception {
        baseWithTriggers("localhost/failing", "RUN exit 3");
        assertThatThrownBy(() -> build("# a comment\nFROM localhost/failing\nRUN true\n", BuildRequest.of(ctx)))
                .isInstanceOf(BuildException.class)
                .hasMessage("Dockerfile:2: RUN exit 3 (ONBUILD trigger of localhost/failing): RUN exited 3");
        baseWithTriggers("localhost/broken", "FROM scratch");
        assertThatThrownBy(() -> build("FROM localhost/broken\n", BuildRequest.of(ctx)))
                .isInstanceOf(BuildException.class)
                .hasMessageStartingWith("Dockerfile:1: FROM localhost/broken: the image's ONBUILD trigger 'FROM scratch' does not parse: ")
                .hasMessageContaining("FROM isn't allowed as an ONBUILD trigger");
        assertThat(kiln.containers()).isEmpty();
    }
}

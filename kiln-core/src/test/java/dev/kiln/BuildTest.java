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

/** {@code Kiln.build}: Dockerfiles built with runc over a busybox base made by the library. */
@Tag("privileged")
class BuildTest {
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
        ctr.commit("localhost/busybox", new CommitOptions(false, "oci", null, null, true, null));
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

    private String out() {
        return progress.toString(StandardCharsets.UTF_8);
    }

    /** Runs {@code sh -c script} in a container of {@code image} and returns its stdout. */
    private String inImage(String image, String script) {
        WorkingContainer c = kiln.from(image, null);
        try {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            int code = c.run(RunOptions.defaults("/bin/sh", "-c", script), null, o, System.err);
            assertThat(code).as(script).isZero();
            return o.toString(StandardCharsets.UTF_8);
        } finally {
            kiln.removeContainer(c.id());
        }
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
    void multiStageBuildCopiesFromTheBuilderAndSetsTheConfig() throws Exception {
        Files.writeString(ctx.resolve("hello.txt"), "from the context\n");
        BuildResult r = build("""
                FROM localhost/busybox AS builder
                RUN mkdir -p /out && echo built > /out/artifact && echo "run output here"
                RUN <<EOF
                echo heredoc > /out/second
                EOF

                FROM localhost/busybox
                ENV APP_HOME=/srv/app GREETING="hello world"
                WORKDIR $APP_HOME
                COPY --from=builder /out/artifact ./artifact
                COPY --from=builder /out/second /srv/
                COPY hello.txt .
                LABEL org.example.home=$APP_HOME
                EXPOSE 8080
                USER 1000:1000
                ENTRYPOINT ["/bin/sh"]
                CMD ["-c", "cat artifact"]
                """, BuildRequest.of(ctx).withTags("app", "app:v2"));
        assertThat(r.imageId()).matches("[0-9a-f]{64}");
        assertThat(r.names()).containsExactly("localhost/app:latest", "localhost/app:v2");
        assertThat(out()).contains("[1/2] STEP 1/3: FROM localhost/busybox AS builder", "[2/2] STEP 11/11: CMD [\"-c\", \"cat artifact\"]",
                "run output here");
        assertThat(out().lines().toList().getLast()).isEqualTo(r.imageId());
        assertThat(inImage("app", "cat /srv/app/artifact /srv/second /srv/app/hello.txt; pwd; id -u"))
                .isEqualTo("built\nheredoc\nfrom the context\n/srv/app\n1000\n");
        ContainerConfig c = config("app:v2");
        assertThat(c.envValue("GREETING")).contains("hello world");
        assertThat(c.workingDir()).isEqualTo("/srv/app");
        assertThat(c.user()).isEqualTo("1000:1000");
        assertThat(c.entrypoint()).containsExactly("/bin/sh");
        assertThat(c.cmd()).containsExactly("-c", "cat artifact");
        assertThat(c.labels()).containsEntry("org.example.home", "/srv/app");
        assertThat(c.exposedPorts()).containsExactly("8080/tcp");
        // Only busybox and the app are listed (the builder stage's steps are cache entries, listed with
        // images(true), as buildah's intermediate images); no container is left.
        assertThat(kiln.images()).hasSize(2);
        assertThat(kiln.containers()).isEmpty();
    }

    @Test
    void argsExpandWithDefaultsGlobalScopeAndBuildArgs() throws Exception {
        BuildResult r = build("""
                ARG BASE=localhost/busybox
                ARG VERSION=1.0
                FROM $BASE
                ARG VERSION
                ARG FLAVOR=plain
                ARG TARGETARCH
                ENV V=$VERSION F=${FLAVOR:-none}
                RUN echo "$VERSION-$FLAVOR-$TARGETARCH" > /args
                LABEL version=$VERSION
                """, BuildRequest.of(ctx).withTags("args").withBuildArgs(Map.of("FLAVOR", "spicy")));
        ContainerConfig c = config("args");
        assertThat(c.envValue("V")).contains("1.0");
        assertThat(c.envValue("F")).contains("spicy");
        assertThat(c.labels()).containsEntry("version", "1.0");
        assertThat(inImage(r.imageId(), "cat /args")).isEqualTo("1.0-spicy-" + dev.kiln.oci.Platform.host().architecture() + "\n");
    }

    @Test
    void dockerignoreIsHonoured() throws Exception {
        Files.writeString(ctx.resolve(".dockerignore"), "**/*.log\nsecret/\n");
        Files.createDirectories(ctx.resolve("secret"));
        Files.writeString(ctx.resolve("secret/key"), "k");
        Files.createDirectories(ctx.resolve("src"));
        Files.writeString(ctx.resolve("src/main.c"), "int main;\n");
        Files.writeString(ctx.resolve("src/debug.log"), "noise");
        Files.writeString(ctx.resolve("keep.txt"), "kept");
        build("""
                FROM localhost/busybox
                COPY . /app/
                """, BuildRequest.of(ctx).withTags("ign"));
        assertThat(inImage("ign", "cd /app && find . | sort"))
                .isEqualTo(".\n./.dockerignore\n./Dockerfile\n./keep.txt\n./src\n./src/main.c\n");
    }

    @Test
    void aFailingRunNamesTheLineAndExitCodeAndLeavesNothing() throws Exception {
        assertThatThrownBy(() -> build("""
                FROM localhost/busybox
                RUN echo fine
                RUN exit 3
                RUN echo never
                """, BuildRequest.of(ctx).withTags("broken")))
                .isInstanceOf(BuildException.class)
                .hasMessage("Dockerfile:3: RUN exit 3: RUN exited 3")
                .satisfies(e -> assertThat(((BuildException) e).exitCode()).isEqualTo(3));
        assertThat(kiln.containers()).isEmpty();
        assertThat(kiln.images()).hasSize(1);
        assertThat(kiln.images().getFirst().names()).containsExactly("localhost/busybox:latest");
        assertThat(out()).doesNotContain("never");
    }

    @Test
    void targetBuildsOnlyTheStagesItNeeds() throws Exception {
        BuildResult r = build("""
                FROM localhost/busybox AS base
                RUN echo base > /base

                FROM localhost/busybox AS unused
                RUN echo UNUSED-RAN && exit 7

                FROM base AS tool
                COPY --from=0 /base /copied

                FROM tool AS final
                RUN echo final
                """, BuildRequest.of(ctx).withTags("tool").withTarget("tool"));
        assertThat(r.stagesBuilt()).containsExactly("base", "tool");
        assertThat(out()).doesNotContain("UNUSED-RAN").doesNotContain("echo final");
        assertThat(inImage("tool", "cat /base /copied")).isEqualTo("base\nbase\n");
        assertThat(kiln.containers()).isEmpty();
    }

    @Test
    void everyMetadataInstructionLandsInTheConfig() throws Exception {
        Files.writeString(ctx.resolve("f.txt"), "f\n");
        try (var tar = new java.util.zip.GZIPOutputStream(Files.newOutputStream(ctx.resolve("a.tar.gz")))) {
            Path t = tmp.resolve("a.tar");
            Path src = Files.createDirectories(tmp.resolve("tarsrc"));
            Files.writeString(src.resolve("inside"), "in\n");
            assertThat(new ProcessBuilder("tar", "-cf", t.toString(), "-C", src.toString(), "inside").start().waitFor()).isZero();
            tar.write(Files.readAllBytes(t));
        }
        BuildResult r = build("""
                FROM localhost/busybox AS base
                CMD ["inherited"]

                FROM base
                MAINTAINER someone@example.com
                SHELL ["/bin/sh", "-ec"]
                RUN ["/bin/sh", "-c", "echo exec-form > /exec"]
                RUN case $- in *e*) echo errexit > /shell;; esac
                ENTRYPOINT ["/bin/cat"]
                STOPSIGNAL SIGTERM
                VOLUME /data
                HEALTHCHECK --interval=5s --retries=2 CMD true
                ONBUILD RUN echo later
                COPY --chown=1:2 --chmod=0640 f.txt /owned
                ADD a.tar.gz /unpacked/
                """, BuildRequest.builder(ctx).tag("meta").format("docker").timestamp(0L).build());
        ContainerConfig c = config("meta");
        assertThat(c.entrypoint()).containsExactly("/bin/cat");
        assertThat(c.cmd()).isEmpty();
        assertThat(c.shell()).containsExactly("/bin/sh", "-ec");
        assertThat(c.stopSignal()).isEqualTo("SIGTERM");
        assertThat(c.volumes()).containsExactly("/data");
        assertThat(c.healthcheck().test()).containsExactly("CMD-SHELL", "true");
        assertThat(c.healthcheck().intervalNanos()).isEqualTo(5_000_000_000L);
        assertThat(c.healthcheck().retries()).isEqualTo(2);
        assertThat(c.onBuild()).containsExactly("RUN echo later");
        assertThat(inImage(r.imageId(), "cat /exec /unpacked/inside; stat -c '%u:%g %a' /owned; cat /shell"))
                .isEqualTo("exec-form\nin\n1:2 640\nerrexit\n");
    }

    @Test
    void scratchStageWithADockerfileOutsideTheContext() throws Exception {
        Files.writeString(ctx.resolve("only"), "x");
        Path df = tmp.resolve("elsewhere.Dockerfile");
        Files.writeString(df, "FROM scratch\nCOPY only /\n");
        BuildResult r = kiln.build(BuildRequest.of(ctx).withDockerfile(df).withTags("tiny"));
        assertThat(kiln.diff(r.imageId(), null).stream().map(FileChange::path)).containsExactly("/only");
    }

    @Test
    void aMissingCopySourceNamesTheLineAndLeavesNothing() throws Exception {
        assertThatThrownBy(() -> build("FROM localhost/busybox AS a\nRUN true\nFROM a\nCOPY nope /x\n",
                BuildRequest.of(ctx).withTags("broken")))
                .isInstanceOf(BuildException.class)
                .hasMessageStartingWith("Dockerfile:4: COPY nope /x: source \"nope\" not found");
        assertThat(kiln.containers()).isEmpty();
        assertThat(kiln.images()).hasSize(1);
    }
}

package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile of the article kiln was created from (three RUN apt-get, a COPY), built on the
 * debootstrap'd Debian base of {@link RunDebianTest}; the image runs {@code uwsgi --version}.
 */
@Tag("slow")
@Tag("privileged")
class SeedArticleBuildTest {
    @TempDir
    Path tmp;

    @Test
    void theArticlesDockerfileBuildsAndItsImageRunsUwsgi() throws Exception {
        Tools.requireRoot();
        Tools.require("runc");
        String mirror = RunDebianTest.mirror();
        Assumptions.assumeTrue(RunDebianTest.reachable(mirror), () -> "skipped: Debian mirror " + mirror + " cannot be reached");
        Path rootfs = RunDebianTest.debootstrapTarball(mirror);
        Path context = Files.createDirectories(tmp.resolve("context"));
        Files.writeString(context.resolve("some_file"), "some content\n");
        Files.writeString(context.resolve("Dockerfile"), """
                FROM debian:latest

                RUN sleep 2 && apt-get update
                RUN sleep 2 && apt-get install -y uwsgi
                RUN sleep 2 && apt-get install -y python3

                COPY some_file /
                """);
        try (Kiln kiln = Kiln.open(new KilnOptions(tmp.resolve("store"), null))) {
            WorkingContainer base = kiln.from("scratch", null);
            base.add(List.of(rootfs.toString()), "/", CopyOptions.add());
            base.commit("debian:latest", CommitOptions.defaults());
            kiln.removeContainer(base.id());

            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            BuildResult built = kiln.build(BuildRequest.of(context).withTags("article")
                    .withProgress(new PrintStream(progress, true, StandardCharsets.UTF_8)));
            String log = progress.toString(StandardCharsets.UTF_8);
            assertThat(log).contains("STEP 1/5: FROM debian:latest", "STEP 5/5: COPY some_file /");
            assertThat(built.imageId()).matches("[0-9a-f]{64}");
            assertThat(kiln.containers()).as("no working container left after the build").isEmpty();

            WorkingContainer ctr = kiln.from("article", null);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = ctr.run(RunOptions.defaults("uwsgi", "--version"), null, out, err);
            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8).strip()).matches("\\d+\\.\\d+\\.\\d+.*");
            out.reset();
            assertThat(ctr.run(RunOptions.defaults("cat", "/some_file"), null, out, err)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("some content\n");
        }
    }
}

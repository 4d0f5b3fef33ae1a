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

/** {@code kiln build} in-process: STEP lines, RUN output, the image id, and a failure's one-line error. */
@Tag("privileged")
class BuildCommandTest {
    @TempDir Path tmp;
    Cli kiln;
    Path ctx;

    @BeforeEach
    void busybox() throws Exception {
        Tools.requireRoot();
        Tools.require("runc");
        kiln = new Cli(tmp.resolve("store"));
        kiln.ok("from", "--name", "base", "scratch");
        kiln.ok("add", "base", Fixtures.busyboxRootfsTar().toString(), "/");
        kiln.ok("commit", "--rm", "base", "localhost/busybox");
        ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("msg"), "hi\n");
    }

    @Test
    void buildPrintsStepsRunOutputAndTheId() throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM localhost/busybox
                ARG WHO=nobody
                COPY msg /msg
                RUN echo "hello $WHO" && cat /msg
                CMD ["cat", "/msg"]
                """);
        Path iid = tmp.resolve("iid");
        String out = kiln.ok("build", "-t", "app", "--build-arg", "WHO=kiln", "--iidfile", iid.toString(), ctx.toString());
        assertThat(out.lines().toList()).startsWith("STEP 1/5: FROM localhost/busybox", "STEP 2/5: ARG WHO=nobody",
                "STEP 3/5: COPY msg /msg", "STEP 4/5: RUN echo \"hello $WHO\" && cat /msg", "hello kiln", "hi",
                "STEP 5/5: CMD [\"cat\", \"/msg\"]");
        String id = out.lines().toList().getLast();
        assertThat(id).matches("[0-9a-f]{64}");
        assertThat(Files.readString(iid)).isEqualTo("sha256:" + id);
        assertThat(kiln.ok("images")).contains("localhost/app");
        assertThat(kiln.ok("containers", "--quiet")).isEmpty();

        String quiet = kiln.ok("bud", "-q", "--build-arg", "WHO=kiln", "-f", ctx.resolve("Dockerfile").toString(), "-t", "app2", ctx.toString());
        assertThat(quiet).doesNotContain("STEP").contains("hello kiln");
        assertThat(quiet.lines().toList().getLast()).matches("[0-9a-f]{64}");
    }

    @Test
    void aFailingRunIsOneErrorLineWithTheLineAndExitCode() throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), "FROM localhost/busybox\nRUN exit 3\n");
        Cli.Result r = kiln.run("build", "-t", "bad", ctx.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly("kiln: Dockerfile:2: RUN exit 3: RUN exited 3");
        assertThat(kiln.ok("containers", "--quiet")).isEmpty();
    }
}

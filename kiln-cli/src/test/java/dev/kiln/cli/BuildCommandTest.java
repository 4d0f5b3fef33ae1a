package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        List<String> lines = out.lines().map(l -> l.replaceAll("--> [0-9a-f]{12} \\([0-9.]+s\\)", "--> ID (T)")).toList();
        assertThat(lines.subList(0, lines.size() - 1)).containsExactly("STEP 1/5: FROM localhost/busybox",
                "STEP 2/5: ARG WHO=nobody", "STEP 3/5: COPY msg /msg", "--> ID (T)",
                "STEP 4/5: RUN echo \"hello $WHO\" && cat /msg", "hello kiln", "hi", "--> ID (T)",
                "STEP 5/5: CMD [\"cat\", \"/msg\"]", "--> ID (T)", "Successfully tagged localhost/app:latest");
        String id = out.lines().toList().getLast();
        assertThat(id).matches("[0-9a-f]{64}");
        assertThat(Files.readString(iid)).isEqualTo("sha256:" + id);
        assertThat(kiln.ok("images")).contains("localhost/app");
        assertThat(kiln.ok("containers", "--quiet")).isEmpty();

        // The same build again: every step from the cache, nothing runs, the same id.
        String again = kiln.ok("bud", "--build-arg", "WHO=kiln", "-t", "app", ctx.toString());
        assertThat(again).doesNotContain("hello kiln").contains("--> Using cache");
        assertThat(again.lines().toList().getLast()).isEqualTo(id);

        String quiet = kiln.ok("bud", "-q", "--no-cache", "--build-arg", "WHO=kiln", "-f", ctx.resolve("Dockerfile").toString(),
                "-t", "app2", ctx.toString());
        assertThat(quiet).doesNotContain("STEP").contains("hello kiln");
        assertThat(quiet.lines().toList().getLast()).matches("[0-9a-f]{64}");
    }

    @Test
    void contextFromATarballOrStdinWithFlagsForLabelsArgsAndOneLayer() throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM localhost/busybox
                ARG WHO
                COPY msg /msg
                RUN echo "$WHO" > /who
                """);
        Path tar = tmp.resolve("ctx.tar.gz");
        Tools.run("tar", "-czf", tar.toString(), "-C", ctx.toString(), ".").orFail("tar");
        Path args = tmp.resolve("args");
        Files.writeString(args, "# build args\nWHO=file\n\n");
        String id = kiln.ok("build", "-q", "--layers=false", "--build-arg-file", args.toString(), "--label", "team=ci",
                "--annotation", "org.example.note=hi", "-t", "fromtar", tar.toString()).lines().toList().getLast();
        String inspect = kiln.ok("inspect", "fromtar");
        assertThat(inspect).contains("\"team\" : \"ci\"").contains("org.example.note");
        kiln.ok("from", "--name", "c", "fromtar");
        Path root = Path.of(kiln.ok("mount", "c"));
        assertThat(Files.readString(root.resolve("who")) + Files.readString(root.resolve("msg"))).isEqualTo("file\nhi\n");
        kiln.ok("rm", "c");

        java.io.InputStream stdin = System.in;
        try {
            System.setIn(Files.newInputStream(tar));
            String out = kiln.ok("build", "-q", "--build-arg", "WHO=stdin", "-t", "fromstdin", "-");
            assertThat(out.lines().toList().getLast()).matches("[0-9a-f]{64}").isNotEqualTo(id);
        } finally {
            System.setIn(stdin);
        }
        kiln.ok("from", "--name", "d", "fromstdin");
        assertThat(Files.readString(Path.of(kiln.ok("mount", "d")).resolve("who"))).isEqualTo("stdin\n");
        kiln.ok("rm", "d");

        Cli.Result both = kiln.run("build", "-f", "-", "-");
        assertThat(both.code()).isNotZero();
        assertThat(both.err()).contains("both want stdin");
        Files.writeString(ctx.resolve("Dockerfile"), "FROM localhost/nothere\nRUN true\n");
        Cli.Result missing = kiln.run("build", "--pull-never", ctx.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.errLines()).singleElement().asString().startsWith("kiln: Dockerfile:1: FROM localhost/nothere: no image")
                .contains("--pull-never");
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

package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln run} through the launcher {@code ./kiln} as a child process: the command's exit code
 * is kiln's, stdin is piped through, and SIGINT to kiln leaves no runc state and no mount.
 */
@Tag("privileged")
class RunCommandTest {
    @TempDir Path tmp;
    Path store;
    String ctr;

    @BeforeEach
    void busybox() throws Exception {
        Tools.requireRoot();
        Tools.require("runc");
        store = tmp.resolve("store");
        Cli kiln = new Cli(store);
        kiln.ok("from", "--name", "base", "scratch");
        kiln.ok("add", "base", Fixtures.busyboxRootfsTar().toString(), "/");
        kiln.ok("commit", "--rm", "base", "bb");
        ctr = kiln.ok("from", "bb");
    }

    ProcessBuilder kiln(String... args) {
        // As typed in a terminal: SIGINT at its default even when the suite itself was started in the
        // background (nohup, `&` without job control), where it is inherited as ignored and the JVM,
        // like any Unix program, then leaves it ignored.
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT",
                Fixtures.repoRoot().resolve("kiln").toString(), "--root", store.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    @Test
    void stdinIsPipedAndTheExitCodeIsTheCommands() throws Exception {
        Process cat = kiln("run", ctr, "--", "cat").start();
        cat.getOutputStream().write("x\n".getBytes(StandardCharsets.UTF_8));
        cat.getOutputStream().close();
        assertThat(new String(cat.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("x\n");
        assertThat(cat.waitFor()).isZero();
        for (int code : new int[] {0, 1, 42}) {
            Process p = kiln("run", ctr, "sh", "-c", "exit " + code).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            p.getOutputStream().close();
            assertThat(p.waitFor()).isEqualTo(code);
        }
        Process missing = kiln("run", "--isolation", "chroot", ctr, "--", "no-such-command").start();
        missing.getOutputStream().close();
        assertThat(missing.waitFor()).isEqualTo(127);
        assertThat(new Cli(store).ok("diff", ctr)).isEmpty();
    }

    @Test
    void sigintStopsTheContainerAndLeavesNothingBehind() throws Exception {
        Process p = kiln("run", ctr, "--", "sh", "-c", "echo started; exec sleep 30").start();
        p.getOutputStream().close();
        byte[] started = p.getInputStream().readNBytes("started\n".length());
        assertThat(new String(started, StandardCharsets.UTF_8)).isEqualTo("started\n");
        long t0 = System.nanoTime();
        Tools.run("kill", "-INT", Long.toString(p.pid()));
        assertThat(p.waitFor(25, TimeUnit.SECONDS)).as("kiln exits after SIGINT").isTrue();
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(25));
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(store.toString());
        // The process's scratch (tmp/ID/: its bundle, runc's state) went with its lease on the way out.
        assertThat(store.resolve("tmp")).isEmptyDirectory();
        assertThat(store.resolve("leases")).isEmptyDirectory();
        assertThat(new Cli(store).ok("diff", ctr)).isEmpty();
    }

    @Test
    void aBuildListsItsContainersWhileItRunsAndSigintLeavesNone() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM bb AS first
                RUN echo one > /one
                FROM bb
                COPY --from=first /one /one
                RUN echo started; exec sleep 30
                """);
        List<String> before = new Cli(store).ok("containers", "--all", "--quiet").lines().toList();
        Process p = kiln("build", "--progress=plain", "-t", "never", ctx.toString()).start();
        p.getOutputStream().close();
        String out = "";
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.equals("started"); ) out += line + "\n";
        // As `docker stats` shows the article's builds, kiln's containers list the build's working container.
        List<String> during = new Cli(store).ok("containers", "--all", "--quiet").lines().toList();
        assertThat(during).as("containers while the build runs\n" + out).hasSizeGreaterThan(before.size()).containsAll(before);
        Tools.run("kill", "-INT", Long.toString(p.pid()));
        assertThat(p.waitFor(25, TimeUnit.SECONDS)).as("kiln exits after SIGINT").isTrue();
        assertThat(p.exitValue()).isNotZero();
        assertThat(new Cli(store).ok("containers", "--all", "--quiet").lines().toList()).isEqualTo(before);
        assertThat(new Cli(store).ok("images")).doesNotContain("never");
        Path runcState = store.resolve("tmp/runc");
        if (Files.exists(runcState)) {
            assertThat(Tools.run("runc", "--root", runcState.toString(), "list", "-q").stdout()).isBlank();
        }
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(store.toString());
    }
}

package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.KilnException;
import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real runc and util-linux on a real busybox rootfs; needs root. */
@Tag("privileged")
class RunnerTest {
    @TempDir Path tmp;
    Path rootfs;
    Path state;

    @BeforeEach
    void extractRootfs() throws Exception {
        Tools.requireRoot();
        Tools.require("runc");
        Tools.require("unshare");
        rootfs = Files.createDirectory(tmp.resolve("rootfs"));
        state = Files.createDirectory(tmp.resolve("state"));
        Tools.run("tar", "-xpf", Fixtures.busyboxRootfsTar().toString(), "-C", rootfs.toString(), "--numeric-owner");
    }

    record Out(int code, String stdout, String stderr, List<String> placeholders) {}

    RunSpec spec(Isolation isolation, String... args) {
        return new RunSpec(rootfs, List.of(args), List.of(), null, null, null, false, Network.HOST, List.of(), isolation, "runc", state);
    }

    Out run(RunSpec spec) {
        return run(spec, null);
    }

    Out run(RunSpec spec, String stdin) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var in = stdin == null ? null : new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        RunResult r = new Runner().run(spec, Stdio.streams(in, out, err));
        return new Out(r.exitCode(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), r.createdPlaceholders());
    }

    static RunSpec with(RunSpec s, String user, String workingDir, List<String> env, Network network, String hostname, List<VolumeMount> volumes) {
        return new RunSpec(s.rootfs(), s.args(), env, workingDir, user, hostname, s.tty(), network, volumes, s.isolation(), s.runtime(), s.stateDir());
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void exitCodesAreTheCommandsAndMissingCommandIs127(Isolation iso) {
        assertThat(run(spec(iso, "true")).code()).isZero();
        assertThat(run(spec(iso, "false")).code()).isEqualTo(1);
        assertThat(run(spec(iso, "sh", "-c", "exit 42")).code()).isEqualTo(42);
        assertThat(run(spec(iso, "no-such-command")).code()).isEqualTo(127);
        assertThat(run(spec(iso, "/bin/no-such-command")).code()).isEqualTo(127);
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void stdinIsPiped(Isolation iso) {
        Out o = run(spec(iso, "cat"), "x\n");
        assertThat(o.code()).isZero();
        assertThat(o.stdout()).isEqualTo("x\n");
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void envHasDefaultPathHostnameAndHome(Isolation iso) {
        Out o = run(with(spec(iso, "env"), null, null, List.of("FOO=bar", "FOO=baz"), Network.HOST, "box", List.of()));
        assertThat(o.stdout().lines().sorted().toList()).containsExactly("FOO=baz", "HOME=/root", "HOSTNAME=box", "PATH=" + ProcessEnv.DEFAULT_PATH);
        Out p = run(with(spec(iso, "sh", "-c", "echo $PATH"), null, null, List.of("PATH=/bin"), Network.HOST, null, List.of()));
        assertThat(p.stdout()).isEqualTo("/bin\n");
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void workingDirIsCreatedAndKept(Isolation iso) {
        Out o = run(with(spec(iso, "pwd"), null, "/work/dir", List.of(), Network.HOST, null, List.of()));
        assertThat(o.stdout()).isEqualTo("/work/dir\n");
        assertThat(rootfs.resolve("work/dir")).isDirectory();
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void workingDirSymlinkOutOfTheRootStaysInside(Isolation iso) throws IOException {
        Path outside = tmp.resolve("outside");
        Files.createSymbolicLink(rootfs.resolve("w"), outside);
        Out o = run(with(spec(iso, "pwd"), null, "/w/sub", List.of(), Network.HOST, null, List.of()));
        assertThat(o.code()).isZero();
        assertThat(outside).doesNotExist();
        assertThat(rootfs.resolve(outside.toString().substring(1)).resolve("sub")).isDirectory();
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void usersByNameAndIdWithSupplementaryGroups(Isolation iso) throws IOException {
        assertThat(run(with(spec(iso, "id", "-u"), "nobody", null, List.of(), Network.HOST, null, List.of())).stdout()).isEqualTo("65534\n");
        Files.writeString(rootfs.resolve("etc/group"), "audio:x:29:www-data\nstaff:x:50:daemon,www-data\n", java.nio.file.StandardOpenOption.APPEND);
        Out o = run(with(spec(iso, "id"), "www-data", null, List.of(), Network.HOST, null, List.of()));
        assertThat(o.stdout()).isEqualTo("uid=33(www-data) gid=33(www-data) groups=29(audio),33(www-data),50(staff)\n");
        // The primary group is a supplementary group too, as buildah's run sets it, with or without a USER group.
        assertThat(run(with(spec(iso, "id"), "nobody", null, List.of(), Network.HOST, null, List.of())).stdout())
                .isEqualTo("uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n");
        assertThat(run(with(spec(iso, "id", "-G"), "1234:50", null, List.of(), Network.HOST, null, List.of())).stdout()).isEqualTo("50\n");
        assertThat(run(with(spec(iso, "id", "-u"), "1234:50", null, List.of(), Network.HOST, null, List.of())).stdout()).isEqualTo("1234\n");
        assertThat(run(with(spec(iso, "id", "-g"), "1234:50", null, List.of(), Network.HOST, null, List.of())).stdout()).isEqualTo("50\n");
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void passwdSymlinkPointingOutOfTheRootIsResolvedInside(Isolation iso) throws IOException {
        Path hostFile = tmp.resolve("shadow-outside");
        Files.writeString(hostFile, "evil:x:4242:4242::/:/bin/sh\n");
        Files.createDirectories(rootfs.resolve(hostFile.getParent().toString().substring(1)));
        Files.writeString(rootfs.resolve(hostFile.toString().substring(1)), "evil:x:777:777::/:/bin/sh\n");
        Files.delete(rootfs.resolve("etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), hostFile);
        assertThat(Users.resolve(rootfs, "evil").uid()).isEqualTo(777);
        assertThat(run(with(spec(iso, "id", "-u"), "evil", null, List.of(), Network.HOST, null, List.of())).stdout()).isEqualTo("777\n");
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void networkNoneHasOnlyLoopback(Isolation iso) {
        Out o = run(with(spec(iso, "cat", "/proc/net/dev"), null, null, List.of(), Network.NONE, null, List.of()));
        List<String> interfaces = o.stdout().lines().skip(2).map(l -> l.strip().split(":")[0]).toList();
        assertThat(interfaces).containsExactly("lo");
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void hostnameAndEtcFiles(Isolation iso) {
        Out o = run(with(spec(iso, "sh", "-c", "hostname; cat /etc/hostname; grep -c box /etc/hosts; test -s /etc/resolv.conf && echo dns"),
                null, null, List.of(), Network.HOST, "box", List.of()));
        assertThat(o.stdout()).isEqualTo("box\nbox\n1\ndns\n");
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void volumesReadWriteAndReadOnlyLeaveNothingInTheRootfs(Isolation iso) throws IOException {
        Path host = Files.createDirectory(tmp.resolve("vol"));
        Out rw = run(with(spec(iso, "sh", "-c", "echo hi > /mnt/data/f"), null, null, List.of(), Network.HOST, null,
                List.of(VolumeMount.parse(host + ":/mnt/data"))));
        assertThat(rw.code()).isZero();
        assertThat(host.resolve("f")).hasContent("hi");
        Out ro = run(with(spec(iso, "sh", "-c", "echo no > /mnt/data/g"), null, null, List.of(), Network.HOST, null,
                List.of(VolumeMount.parse(host + ":/mnt/data:ro"))));
        assertThat(ro.code()).isNotZero();
        assertThat(host.resolve("g")).doesNotExist();
        assertThat(rootfs.resolve("mnt")).doesNotExist();
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void tmpfsMountsHoldNothingAfterTheRunAndTheirMountPointGoes(Isolation iso) throws IOException {
        String before = listing(rootfs);
        RunSpec s = spec(iso, "sh", "-c", "echo x > /scratch/t/x && grep ' /scratch/t ' /proc/mounts && df -k /scratch/t | tail -1");
        Out o = run(new RunSpec(s.rootfs(), s.args(), List.of(), null, null, null, false, Network.HOST, List.of(), iso, "runc",
                state, List.of(new TmpfsMount("/scratch/t", 2 << 20))));
        assertThat(o.code()).as(o.stderr()).isZero();
        assertThat(o.stdout()).startsWith("tmpfs /scratch/t tmpfs rw").contains("size=2048k");
        assertThat(o.stdout().lines().toList().getLast().split("\\s+")[1]).isEqualTo("2048");
        assertThat(listing(rootfs)).isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void placeholdersTheCommandDidNotTouchAreRemoved(Isolation iso) throws IOException {
        String before = listing(rootfs);
        Out o = run(spec(iso, "true"));
        assertThat(o.code()).isZero();
        assertThat(listing(rootfs)).isEqualTo(before);
        assertThat(o.placeholders()).contains("/proc", "/sys", "/dev", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf");
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void aHostsFileTheCommandWroteIsKept(Isolation iso) throws IOException {
        Out o = run(spec(iso, "sh", "-c", "echo '10.0.0.1 db' > /etc/hosts"));
        assertThat(o.code()).isZero();
        assertThat(rootfs.resolve("etc/hosts")).hasContent("10.0.0.1 db");
        assertThat(o.placeholders()).doesNotContain("/etc/hosts").contains("/etc/hostname", "/proc");
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void nothingIsLeftBehindAfterAFailedCommand(Isolation iso) throws IOException, InterruptedException {
        assertThat(run(spec(iso, "sh", "-c", "exit 3")).code()).isEqualTo(3);
        assertThat(Tools.run("runc", "--root", state.resolve("runc").toString(), "list", "-q").stdout()).isBlank();
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(tmp.toString());
        assertThat(state.resolve("bundles")).isEmptyDirectory();
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void aRunInterruptedMidwayLeavesNothingBehind(Isolation iso) throws Exception {
        String before = listing(rootfs);
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                run(spec(iso, "sleep", "60"));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        Thread.sleep(1500);
        t.interrupt();
        t.join(20_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(failure.get()).isInstanceOf(KilnException.class).hasMessageContaining("interrupted");
        assertThat(Tools.run("runc", "--root", state.resolve("runc").toString(), "list", "-q").stdout()).isBlank();
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(tmp.toString());
        assertThat(listing(rootfs)).isEqualTo(before);
        assertThat(Tools.exec(null, List.of("pgrep", "-f", "sleep 60")).stdout()).isBlank();
    }

    @Test
    void anUnusableRuntimeIsNamedWithAdvice() throws IOException {
        String before = listing(rootfs);
        for (String runtime : List.of("crun", "/nonexistent/runc")) {
            RunSpec s = new RunSpec(rootfs, List.of("true"), List.of(), null, null, null, false, Network.HOST, List.of(), Isolation.OCI, runtime, state);
            assertThatThrownBy(() -> run(s)).isInstanceOf(KilnException.class)
                    .hasMessageContaining("runtime '" + runtime + "'").hasMessageContaining("--runtime runc").hasMessageContaining("--isolation chroot");
        }
        assertThat(listing(rootfs)).isEqualTo(before);
    }

    @Test
    void aRuntimeThatFailsToStartReportsItsError() throws IOException {
        Path fake = tmp.resolve("fake-runtime");
        Files.writeString(fake, "#!/bin/sh\nfor a; do [ \"$p\" = --log ] && log=$a; p=$a; done\n[ -n \"$log\" ] || exit 0\n"
                + "echo '{\"level\":\"error\",\"msg\":\"cgroups: cannot set up cgroup v1 hierarchy\"}' > \"$log\"; exit 1\n");
        fake.toFile().setExecutable(true);
        RunSpec s = new RunSpec(rootfs, List.of("true"), List.of(), null, null, null, false, Network.HOST, List.of(), Isolation.OCI, fake.toString(), state);
        assertThatThrownBy(() -> run(s)).isInstanceOf(KilnException.class).hasMessageContaining("cgroups: cannot set up");
    }

    static String listing(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return String.join("\n", s.map(p -> root.relativize(p).toString()).sorted().toList());
        }
    }
}

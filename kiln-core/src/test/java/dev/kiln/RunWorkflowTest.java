package dev.kiln;

import static dev.kiln.SeedWorkflowTest.layers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testing.Tools;
import dev.kiln.testing.TreeListing;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 4, first "Done when": the seed's manual workflow with RUN on a busybox base, through the
 * library, on both drivers: run, commit an intermediate, from it more runs (each kind of change
 * a layer must keep), commit --squash, and diff listing exactly what the commands touched.
 */
@Tag("privileged")
class RunWorkflowTest {
    /** One RUN each, as a Dockerfile would have them; {@link RunBuildahDifferentialTest} runs the same. */
    static final List<List<String>> COMMANDS = List.of(
            sh("mkdir -p /data/sub"),
            sh("rm /etc/motd-gone /usr/bin/wget"),                  // base files: whiteouts
            sh("rmdir /home && echo 'now a file' > /home"),          // a base directory replaced by a file
            sh("printf '#!/bin/sh\\necho prog\\n' > /data/prog && chown 1234:33 /data/prog && chmod 755 /data/prog && chmod u+s /data/prog"),
            sh("ln /data/prog /data/prog-hard"),
            sh("ln -s ../hello /data/link"),
            sh("mkfifo -m 640 /data/fifo"),
            // Debian's busybox-static has no adduser applet: add the user as adduser -D -H would.
            sh("echo 'u1:x:1234:1234:Linux User,,,:/home/u1:/bin/sh' >> /etc/passwd && echo 'u1:x:1234:' >> /etc/group"),
            sh("chown u1:u1 /data/sub"),
            sh("echo changed >> /hello"));

    /** What those commands touched, as {@code diff} lists it. */
    static final List<FileChange> TOUCHED = List.of(
            new FileChange('A', "/data"), new FileChange('A', "/data/fifo"), new FileChange('A', "/data/link"),
            new FileChange('A', "/data/prog"), new FileChange('A', "/data/prog-hard"), new FileChange('A', "/data/sub"),
            new FileChange('D', "/etc/motd-gone"), new FileChange('C', "/etc/group"), new FileChange('C', "/etc/passwd"),
            new FileChange('C', "/hello"), new FileChange('C', "/home"), new FileChange('D', "/usr/bin/wget"));

    @TempDir Path tmp;

    @BeforeEach
    void needs() {
        Tools.requireRoot();
        Tools.require("runc");
    }

    static List<String> sh(String script) {
        return List.of("sh", "-c", script);
    }

    /** The busybox base plus a file the commands delete: "bb". */
    static void busyboxBase(Kiln kiln, Path tmp) throws Exception {
        WorkingContainer base = RunCleanDiffTest.busybox(kiln);
        Path motd = Files.writeString(tmp.resolve("motd-gone"), "deleted by a RUN\n");
        base.add(List.of(motd.toString()), "/etc/motd-gone", CopyOptions.copy());
        base.commit("bb", CommitOptions.defaults());
        kiln.removeContainer(base.id());
    }

    static void runAll(WorkingContainer ctr) {
        for (List<String> c : COMMANDS) {
            var err = new ByteArrayOutputStream();
            int code = ctr.run(new RunOptions(c, List.of(), null, null, null, false, "host", List.of(), "oci", "runc"),
                    null, new ByteArrayOutputStream(), err);
            assertThat(code).as("%s: %s", c, err.toString(StandardCharsets.UTF_8)).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlay", "vfs"})
    void seedWorkflowWithRun(String driver) throws Exception {
        Path root = tmp.resolve("store");
        try (Kiln kiln = Kiln.open(new KilnOptions(root, driver))) {
            busyboxBase(kiln, tmp);
            WorkingContainer first = kiln.from("bb", null);
            assertThat(first.run(RunOptions.defaults("sh", "-c", "echo hi > /hello"))).isZero();
            assertThat(first.diff()).containsExactly(new FileChange('A', "/hello"));
            first.commit("intermediate", CommitOptions.defaults());
            assertThat(kiln.diff("intermediate", null)).containsExactly(new FileChange('A', "/hello"));

            WorkingContainer second = kiln.from("intermediate", null);
            runAll(second);
            assertThat(second.diff()).containsExactlyInAnyOrderElementsOf(TOUCHED);

            second.commit("final", new CommitOptions(true, "oci", null, null, false, null));
            assertThat(layers(kiln, "final")).hasSize(1);
            assertThat(kiln.diff("final", "intermediate")).containsExactlyInAnyOrderElementsOf(TOUCHED);

            WorkingContainer check = kiln.from("final", null);
            Path mnt = check.mount();
            try {
                checkFinalTree(mnt);
            } finally {
                check.unmount();
            }
        }
    }

    private static void checkFinalTree(Path mnt) throws Exception {
        var listing = TreeListing.of(mnt, Set.of());
        assertThat(listing.get("/data/prog")).startsWith("file 4755 1234:33 ");
        assertThat(listing.get("/data/prog-hard")).isEqualTo(listing.get("/data/prog"));
        assertThat(Files.readAttributes(mnt.resolve("data/prog"), "unix:ino"))
                .isEqualTo(Files.readAttributes(mnt.resolve("data/prog-hard"), "unix:ino"));
        assertThat(listing.get("/data/sub")).isEqualTo("dir 755 1234:1234");
        assertThat(listing.get("/data/fifo")).isEqualTo("fifo 640 0:0");
        assertThat(listing.get("/data/link")).isEqualTo("link 777 0:0 -> ../hello");
        assertThat(listing.get("/home")).startsWith("file 644 0:0 ");
        assertThat(listing).doesNotContainKeys("/etc/motd-gone", "/usr/bin/wget", "/proc", "/sys", "/dev", "/etc/hosts",
                "/etc/hostname", "/etc/resolv.conf");
        assertThat(Files.readString(mnt.resolve("etc/passwd"))).contains("u1:x:1234:1234:");
        assertThat(Files.readString(mnt.resolve("hello"))).isEqualTo("hi\nchanged\n");
    }
}

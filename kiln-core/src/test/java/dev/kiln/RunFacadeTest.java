package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testing.Tools;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link WorkingContainer#run} through the facade, with both isolations, on one busybox base. */
@Tag("privileged")
class RunFacadeTest {
    @TempDir static Path tmp;
    static Kiln kiln;

    @BeforeAll
    static void base() throws Exception {
        Tools.requireRoot();
        Tools.require("runc");
        Tools.require("unshare");
        kiln = Kiln.open(new KilnOptions(tmp.resolve("store"), "overlay"));
        RunCleanDiffTest.busybox(kiln).commit("bb", CommitOptions.defaults());
    }

    @AfterAll
    static void close() {
        if (kiln != null) kiln.close();
    }

    record Out(int code, String stdout, String stderr) {}

    static Out run(RunOptions o, String stdin) {
        WorkingContainer ctr = kiln.from("bb", null);
        try {
            var out = new ByteArrayOutputStream();
            var err = new ByteArrayOutputStream();
            var in = stdin == null ? null : new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
            int code = ctr.run(o, in, out, err);
            return new Out(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            kiln.removeContainer(ctr.id());
        }
    }

    static RunOptions opts(String isolation, String... args) {
        return RunOptions.defaults(args).withIsolation(isolation);
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "chroot"})
    void exitCodes(String iso) {
        assertThat(run(opts(iso, "true"), null).code()).isZero();
        assertThat(run(opts(iso, "false"), null).code()).isEqualTo(1);
        assertThat(run(opts(iso, "sh", "-c", "exit 42"), null).code()).isEqualTo(42);
        assertThat(run(opts(iso, "no-such-command"), null).code()).isEqualTo(127);
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "chroot"})
    void stdinIsPiped(String iso) {
        assertThat(run(opts(iso, "cat"), "x\n")).isEqualTo(new Out(0, "x\n", ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "chroot"})
    void networkNoneHasOnlyLo(String iso) {
        Out o = run(opts(iso, "ls", "/sys/class/net").withNetwork("none"), null);
        assertThat(o.code()).as(o.stderr()).isZero();
        assertThat(o.stdout().strip()).isEqualTo("lo");
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "chroot"})
    void userNobody(String iso) {
        Out o = run(opts(iso, "id", "-u").withUser("nobody"), null);
        assertThat(o).isEqualTo(new Out(0, "65534\n", ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "chroot"})
    void imageConfigAndOverrides(String iso) {
        WorkingContainer ctr = kiln.from("bb", null);
        try {
            ctr.config(SeedWorkflowTest.change(c -> {
                c.env = List.of("FROM_IMAGE=1", "SHARED=image");
                c.workingDir = "/srv/app";
                c.user = "www-data";
            }));
            var out = new ByteArrayOutputStream();
            String script = "echo $FROM_IMAGE $SHARED $(pwd) $(id -u)";
            assertThat(ctr.run(opts(iso, "sh", "-c", script), null, out, new ByteArrayOutputStream())).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("1 image /srv/app 33\n");
            out.reset();
            var o = new RunOptions(List.of("sh", "-c", script), List.of("SHARED=option"), "/tmp", "daemon", null, false,
                    "host", List.of(), iso, null);
            assertThat(ctr.run(o, null, out, new ByteArrayOutputStream())).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("1 option /tmp 1\n");
            assertThat(ctr.diff()).containsExactly(new FileChange('A', "/srv"), new FileChange('A', "/srv/app"));
        } finally {
            kiln.removeContainer(ctr.id());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "chroot"})
    void volumeIsMountedAndLeavesNothing(String iso) throws Exception {
        Path vol = Files.createDirectories(tmp.resolve("vol-" + iso));
        Files.writeString(vol.resolve("in"), "from host\n");
        WorkingContainer ctr = kiln.from("bb", null);
        try {
            var out = new ByteArrayOutputStream();
            var o = opts(iso, "sh", "-c", "cat /mnt/vol/in && echo back > /mnt/vol/out").withVolumes(List.of(vol + ":/mnt/vol"));
            assertThat(ctr.run(o, null, out, new ByteArrayOutputStream())).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("from host\n");
            assertThat(Files.readString(vol.resolve("out"))).isEqualTo("back\n");
            var ro = opts(iso, "sh", "-c", "echo no > /mnt/vol/ro").withVolumes(List.of(vol + ":/mnt/vol:ro"));
            assertThat(ctr.run(ro, null, new ByteArrayOutputStream(), new ByteArrayOutputStream())).isNotZero();
            assertThat(ctr.diff()).isEmpty();
        } finally {
            kiln.removeContainer(ctr.id());
        }
    }
}

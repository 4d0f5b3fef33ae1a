package dev.kiln;

import static dev.kiln.SeedWorkflowTest.layers;
import static dev.kiln.SeedWorkflowTest.tarNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.InvalidInputException;
import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 4, "Clean diffs": the runtime's mount points, /etc placeholders and volume targets never
 * reach {@code diff} or a committed layer unless the command wrote them, on both drivers (an
 * overlay upper directory must not keep whiteouts or copied-up parents for them).
 */
@Tag("privileged")
class RunCleanDiffTest {
    @TempDir Path tmp;

    @BeforeEach
    void needs() {
        Tools.requireRoot();
        Tools.require("runc");
    }

    static WorkingContainer busybox(Kiln kiln) throws Exception {
        WorkingContainer base = kiln.from("scratch", null);
        base.add(List.of(Fixtures.busyboxRootfsTar().toString()), "/", CopyOptions.add());
        base.commit("bb", CommitOptions.defaults());
        kiln.removeContainer(base.id());
        return kiln.from("bb", null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlay", "vfs"})
    void aRunThatWritesNothingLeavesNoDiffAndAnEmptyLayer(String driver) throws Exception {
        Path root = tmp.resolve("store");
        Path volume = Files.createDirectories(tmp.resolve("vol"));
        try (Kiln kiln = Kiln.open(new KilnOptions(root, driver))) {
            WorkingContainer ctr = busybox(kiln);
            assertThat(ctr.run(RunOptions.defaults("true"))).isZero();
            assertThat(ctr.run(RunOptions.defaults("ls", "/proc/self", "/sys", "/dev/null", "/etc/hosts", "/data")
                    .withVolumes(List.of(volume + ":/data")), null, new ByteArrayOutputStream(), new ByteArrayOutputStream())).isZero();
            assertThat(ctr.run(RunOptions.defaults("true").withIsolation("chroot").withVolumes(List.of(volume + ":/mnt/v:ro")))).isZero();
            assertThat(ctr.diff()).isEmpty();
            ctr.commit("after-true", CommitOptions.defaults());
            assertThat(tarNames(root, layers(kiln, "after-true").get(1))).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlay", "vfs"})
    void alsoWhenTheUserKeepsTheContainerMounted(String driver) throws Exception {
        Path root = tmp.resolve("store");
        try (Kiln kiln = Kiln.open(new KilnOptions(root, driver))) {
            WorkingContainer ctr = busybox(kiln);
            Path mnt = ctr.mount();
            assertThat(ctr.run(RunOptions.defaults("true"))).isZero();
            assertThat(mnt.resolve("bin/busybox")).isRegularFile();
            assertThat(ctr.diff()).isEmpty();
            ctr.commit("after-true", CommitOptions.defaults());
            assertThat(tarNames(root, layers(kiln, "after-true").get(1))).isEmpty();
            ctr.unmount();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlay", "vfs"})
    void whatTheCommandWroteToAPlaceholderStays(String driver) throws Exception {
        Path root = tmp.resolve("store");
        try (Kiln kiln = Kiln.open(new KilnOptions(root, driver))) {
            WorkingContainer ctr = busybox(kiln);
            assertThat(ctr.run(RunOptions.defaults("sh", "-c", "echo '10.0.0.1 db' >> /etc/hosts; mkdir -p /run/app"))).isZero();
            assertThat(ctr.diff()).containsExactly(new FileChange('A', "/etc/hosts"), new FileChange('A', "/run"),
                    new FileChange('A', "/run/app"));
            assertThat(Files.readString(ctr.mount().resolve("etc/hosts"))).endsWith("10.0.0.1 db\n");
            ctr.unmount();
        }
    }

    @Test
    void badOptionsAreOneClearLine() {
        assertThatThrownBy(() -> RunOptions.defaults()).isInstanceOf(InvalidInputException.class).hasMessageContaining("no command");
        assertThatThrownBy(() -> RunOptions.defaults("true").withNetwork("bridge")).isInstanceOf(InvalidInputException.class)
                .hasMessage("run: network must be 'host' or 'none', got 'bridge'");
        assertThatThrownBy(() -> RunOptions.defaults("true").withIsolation("vm")).isInstanceOf(InvalidInputException.class)
                .hasMessage("run: isolation must be 'oci' or 'chroot', got 'vm'");
        assertThatThrownBy(() -> new RunOptions(List.of("true"), List.of("NOEQUALS"), null, null, null, false, null, null, null, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("KEY=VALUE");
        assertThatThrownBy(() -> new RunOptions(List.of("true"), null, "rel/dir", null, null, false, null, null, null, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("absolute");
    }
}

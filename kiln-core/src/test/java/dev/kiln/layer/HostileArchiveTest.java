package dev.kiln.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.layer.LayerApplier.Mode;
import dev.kiln.oci.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Breakout attempts, after containerd's pkg/archive tests: each row is applied to ROOT with a
 * sentinel tree OUTSIDE it (TMP/outside/sentinel) that must come out byte-, mode- and
 * listing-identical, and states its outcome: REFUSED (InvalidInputException) or applied
 * harmlessly inside the root (then a check of where it landed). Needs root (mknod, chown,
 * trusted.* xattrs).
 */
class HostileArchiveTest {
    @TempDir Path tmp;
    Path root, outside;

    /** What a row expects: refused with a message containing {@code refusal}, or applied and {@code check} holds. */
    record Row(String name, List<Mode> modes, Setup setup, Function<Path, byte[]> archive, String refusal, Check check) {
        @Override
        public String toString() {
            return name;
        }
    }

    interface Setup { void plant(Path root, Path outside) throws IOException; }
    interface Check { void verify(Path root, Path outside, Mode mode) throws IOException; }

    static final List<Mode> BOTH = List.of(Mode.OVERLAY, Mode.MERGE);
    static final Setup NOTHING = (r, o) -> {};

    static Row refused(String name, Setup setup, Function<Path, byte[]> archive, String message) {
        return new Row(name, BOTH, setup, archive, message, null);
    }

    static Row harmless(String name, Setup setup, Function<Path, byte[]> archive, Check check) {
        return new Row(name, BOTH, setup, archive, null, check);
    }

    /** {@code outside}'s absolute path as an archive name: "/tmp/junit…/outside". */
    static String abs(Path outside) {
        return outside.toString();
    }

    /** Where an absolute host path lands when re-rooted at root. */
    static Path rerooted(Path root, Path hostPath) {
        return root.resolve(hostPath.toString().substring(1));
    }

    static Stream<Row> rows() {
        return Stream.of(
            harmless("absolute name /outside/x is stripped to outside/x", NOTHING,
                o -> Tars.tar().file("/outside/x", "x").bytes(),
                (r, o, m) -> assertThat(r.resolve("outside/x")).hasContent("x")),
            harmless("absolute name naming the real outside dir", NOTHING,
                o -> Tars.tar().file(abs(o) + "/sentinel", "evil").bytes(),
                (r, o, m) -> assertThat(rerooted(r, o).resolve("sentinel")).hasContent("evil")),
            refused("../outside/x", NOTHING,
                o -> Tars.tar().file("../outside/x", "x").bytes(), "climbs above the root"),
            refused("a/../../outside/x", NOTHING,
                o -> Tars.tar().file("a/../../outside/x", "x").bytes(), "climbs above the root"),
            harmless("symlink l -> /abs/outside then l/x", NOTHING,
                o -> Tars.tar().symlink("l", abs(o)).file("l/x", "x").bytes(),
                (r, o, m) -> assertThat(rerooted(r, o).resolve("x")).hasContent("x")),
            harmless("symlink l -> ../../outside then l/x", NOTHING,
                o -> Tars.tar().symlink("l", "../../outside").file("l/x", "x").bytes(),
                (r, o, m) -> assertThat(r.resolve("outside/x")).hasContent("x")),
            harmless("symlink l -> ../outside then l/sentinel (host's is one level up)", NOTHING,
                o -> Tars.tar().symlink("l", "../outside").file("l/sentinel", "evil").bytes(),
                (r, o, m) -> assertThat(r.resolve("outside/sentinel")).hasContent("evil")),
            harmless("symlink already in the rootfs pointing out, then an entry through it",
                (r, o) -> Files.createSymbolicLink(r.resolve("l"), o),
                o -> Tars.tar().file("l/sentinel", "evil").bytes(),
                (r, o, m) -> assertThat(rerooted(r, o).resolve("sentinel")).hasContent("evil")),
            harmless("symlink chain l1 -> l2 -> /abs/outside then l1/x", NOTHING,
                o -> Tars.tar().symlink("l2", abs(o)).symlink("l1", "l2").file("l1/x", "x").bytes(),
                (r, o, m) -> assertThat(rerooted(r, o).resolve("x")).hasContent("x")),
            refused("symlink loop l1 -> l2 -> l1 then l1/x", NOTHING,
                o -> Tars.tar().symlink("l1", "l2").symlink("l2", "l1").file("l1/x", "x").bytes(),
                "too many levels of symbolic links"),
            refused("hardlink to /abs/outside/sentinel", NOTHING,
                o -> Tars.tar().hardlink("h", abs(o) + "/sentinel").bytes(), "does not exist inside the root"),
            refused("hardlink to ../outside/sentinel", NOTHING,
                o -> Tars.tar().hardlink("h", "../outside/sentinel").bytes(), "climbs above the root"),
            refused("hardlink through a planted symlink l -> ../outside", NOTHING,
                o -> Tars.tar().symlink("l", "../outside").hardlink("h", "l/sentinel").bytes(),
                "does not exist inside the root"),
            refused("hardlink through a rootfs symlink to the real outside dir",
                (r, o) -> Files.createSymbolicLink(r.resolve("l"), o),
                o -> Tars.tar().hardlink("h", "l/sentinel").bytes(), "does not exist inside the root"),
            refused("hardlink to a directory", NOTHING,
                o -> Tars.tar().dir("d", 0755).hardlink("h", "d").bytes(), "is a directory"),
            refused("symlink named .", NOTHING,
                o -> Tars.tar().symlink(".", abs(o)).bytes(), "may not replace the root"),
            refused("symlink named /", NOTHING,
                o -> Tars.tar().symlink("/", abs(o)).bytes(), "may not replace the root"),
            refused("symlink named ./", NOTHING,
                o -> Tars.tar().symlink("./", abs(o)).bytes(), "may not replace the root"),
            harmless("file entry replacing a planted symlink to outside (replaces the link)", NOTHING,
                o -> Tars.tar().symlink("s", abs(o) + "/sentinel").file("s", "evil").bytes(),
                (r, o, m) -> assertRegular(r.resolve("s"), "evil")),
            harmless("file entry named like a rootfs symlink to outside (not followed)",
                (r, o) -> Files.createSymbolicLink(r.resolve("s"), o.resolve("sentinel")),
                o -> Tars.tar().file("s", "evil").bytes(),
                (r, o, m) -> assertRegular(r.resolve("s"), "evil")),
            harmless("dir entry named like a rootfs symlink to the outside dir (replaces, no chmod through)",
                (r, o) -> Files.createSymbolicLink(r.resolve("d"), o),
                o -> Tars.tar().dir("d", 0700).bytes(),
                (r, o, m) -> assertThat(Files.isDirectory(r.resolve("d"), LinkOption.NOFOLLOW_LINKS)).isTrue()),
            refused("whiteout ../outside/.wh.sentinel", NOTHING,
                o -> Tars.tar().file("../outside/.wh.sentinel", "").bytes(), "climbs above the root"),
            refused("whiteout .wh... naming the parent", NOTHING,
                o -> Tars.tar().file("a/.wh...", "").bytes(), "whiteout names no file"),
            harmless("whiteout through a planted symlink l -> ../outside", NOTHING,
                o -> Tars.tar().symlink("l", "../outside").file("l/.wh.sentinel", "").bytes(),
                (r, o, m) -> assertWhiteout(r.resolve("outside/sentinel"), m)),
            harmless("whiteout through a rootfs symlink to the real outside dir",
                (r, o) -> Files.createSymbolicLink(r.resolve("l"), o),
                o -> Tars.tar().file("l/.wh.sentinel", "").bytes(),
                (r, o, m) -> assertWhiteout(rerooted(r, o).resolve("sentinel"), m)),
            harmless("opaque whiteout in a symlinked dir", 
                (r, o) -> Files.createSymbolicLink(r.resolve("l"), o),
                o -> Tars.tar().file("l/.wh..wh..opq", "").bytes(),
                (r, o, m) -> assertThat(Files.isSymbolicLink(r.resolve("l"))).isTrue()),
            harmless("device node through a planted symlink", NOTHING,
                o -> Tars.tar().symlink("l", abs(o)).chr("l/null", 1, 3).bytes(),
                (r, o, m) -> assertThat(Files.exists(rerooted(r, o).resolve("null"), LinkOption.NOFOLLOW_LINKS)).isTrue()),
            refused("truncated archive after writing through a symlink", NOTHING,
                o -> Tars.tar().symlink("l", abs(o)).file("l/sentinel", "x".repeat(2000)).truncatedAfter("xxxx", 700),
                "truncated tar: entry l/sentinel ends after 700 of 2000 bytes"),
            refused("corrupt header checksum", NOTHING,
                o -> corruptChecksum(Tars.tar().file("l", "x").bytes()), "checksum")
        );
    }

    static Stream<Arguments> cases() {
        return rows().flatMap(r -> r.modes().stream().map(m -> Arguments.of(r, m)));
    }

    @BeforeEach
    void sentinel() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root: mknod, chown, trusted.* xattrs");
        root = Files.createDirectory(tmp.resolve("root"));
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("sentinel"), "sentinel");
        Files.setPosixFilePermissions(outside.resolve("sentinel"), PosixFilePermissions.fromString("rw-r-----"));
    }

    @ParameterizedTest(name = "{0} [{1}]")
    @MethodSource("cases")
    void breakoutAttempt(Row row, Mode mode) throws Exception {
        row.setup().plant(root, outside);
        Map<String, String> before = snapshotOutsideRoot();
        byte[] archive = row.archive().apply(outside);
        if (row.refusal() != null) {
            assertThatThrownBy(() -> LayerApplier.apply(new ByteArrayInputStream(archive), root, mode, null))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining(row.refusal());
        } else {
            LayerApplier.apply(new ByteArrayInputStream(archive), root, mode, null);
            row.check().verify(root, outside, mode);
        }
        assertThat(snapshotOutsideRoot()).isEqualTo(before);
    }

    /** Every path under TMP but ROOT's subtree: type, mode, owner, content digest or link target. */
    private Map<String, String> snapshotOutsideRoot() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(tmp)) {
            for (Path p : s.filter(p -> !p.startsWith(root)).toList()) {
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size", LinkOption.NOFOLLOW_LINKS);
                String what = Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p)
                        : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? sha256(Files.readAllBytes(p)) : "";
                out.put(tmp.relativize(p).toString(), a + " " + what + " " + p.toFile().lastModified());
            }
        }
        return out;
    }

    static void assertRegular(Path p, String content) {
        assertThat(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(p).hasContent(content);
    }

    static void assertWhiteout(Path p, Mode mode) throws IOException {
        if (mode == Mode.MERGE) {
            assertThat(Files.exists(p, LinkOption.NOFOLLOW_LINKS)).isFalse();
        } else {
            int m = (int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            assertThat(m & 0170000).isEqualTo(0020000);
        }
    }

    static byte[] corruptChecksum(byte[] tar) {
        tar[0] ^= 0x01; // the name changes; the stored checksum no longer matches
        return tar;
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.kiln.layer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The table of breakout attempts, in the spirit of containerd's archive tests. Each row is an
 * archive (built with kiln's TarWriter, which writes any name it is given), optional setup of the
 * root before applying, and the outcome: REFUSED (an InvalidInputException) or HARMLESS (applied,
 * everything inside the root). Every row is run with a sentinel directory beside the root that
 * must end byte- and mode-identical, with no new files. Shared by the layer test and the
 * store/facade tests, so the same table runs on both drivers.
 */
public final class HostileArchives {
    private HostileArchives() {}

    public enum Outcome { REFUSED, HARMLESS }

    /** A row. {@code prepare} gets (root, outside) before the archive is applied. */
    public record Row(String name, Outcome outcome, byte[] archive, Prepare prepare, boolean refusedBeforeWriting) {
        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    public interface Prepare {
        void run(Path root, Path outside) throws IOException;
    }

    private static TarEntry file(String name, int size) {
        return new TarEntry(name, TarEntry.Type.FILE, 0644, 0, 0, "", "", size, 0, "", 0, 0, Map.of());
    }

    private static TarEntry dir(String name) {
        return new TarEntry(name, TarEntry.Type.DIR, 0755, 0, 0, "", "", 0, 0, "", 0, 0, Map.of());
    }

    private static TarEntry link(String name, String target, TarEntry.Type type) {
        return new TarEntry(name, type, 0777, 0, 0, "", "", 0, 0, target, 0, 0, Map.of());
    }

    private static TarEntry device(String name) {
        return new TarEntry(name, TarEntry.Type.CHAR, 0666, 0, 0, "", "", 0, 0, "", 1, 3, Map.of());
    }

    /** An archive of {@code entries}; files get the content "pwned". */
    static byte[] tar(TarEntry... entries) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (TarWriter w = new TarWriter(bytes)) {
                for (TarEntry e : entries) {
                    byte[] content = "pwned".getBytes(StandardCharsets.UTF_8);
                    TarEntry sized = e.type() == TarEntry.Type.FILE
                            ? new TarEntry(e.name(), e.type(), e.mode(), e.uid(), e.gid(), e.uname(), e.gname(), content.length,
                                    e.mtimeNanos(), e.linkName(), e.devMajor(), e.devMinor(), e.xattrs())
                            : e;
                    w.write(sized, new ByteArrayInputStream(content));
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Row row(String name, Outcome o, byte[] archive) {
        return new Row(name, o, archive, (r, out) -> { }, true);
    }

    private static Row row(String name, Outcome o, byte[] archive, Prepare p) {
        return new Row(name, o, archive, p, true);
    }

    /** The relative way from a root to its sibling "outside": both live in one parent directory. */
    private static final String OUT = "../outside";

    public static List<Row> rows(Path outsideAbsolute) {
        String abs = outsideAbsolute.toString();
        List<Row> rows = new ArrayList<>(List.of(
                row("absolute name is taken inside the root", Outcome.HARMLESS, tar(file(abs + "/sentinel", 0))),
                row("dot-dot name", Outcome.REFUSED, tar(file(OUT + "/x", 0))),
                row("dot-dot after a directory", Outcome.REFUSED, tar(dir("a"), file("a/../../outside/x", 0))),
                row("symlink to a relative outside, then a file through it", Outcome.HARMLESS,
                        tar(link("l", OUT, TarEntry.Type.SYMLINK), file("l/x", 0))),
                row("symlink to the absolute outside, then a file through it", Outcome.HARMLESS,
                        tar(link("l", abs, TarEntry.Type.SYMLINK), file("l/sentinel", 0))),
                row("symlink already in the rootfs, then a file through it", Outcome.HARMLESS,
                        tar(file("pre/sentinel", 0)), (r, o) -> Files.createSymbolicLink(r.resolve("pre"), Path.of(OUT))),
                row("symlink chain out of the root", Outcome.HARMLESS,
                        tar(link("l2", OUT, TarEntry.Type.SYMLINK), link("l1", "l2", TarEntry.Type.SYMLINK), file("l1/sentinel", 0))),
                // A loop made by the archive itself only shows when its links exist: refused while applying.
                new Row("symlink loop", Outcome.REFUSED, tar(link("loop", "loop", TarEntry.Type.SYMLINK), file("loop/x", 0)),
                        (r, o) -> { }, false),
                row("hardlink to an absolute outside file", Outcome.REFUSED, tar(link("h", abs + "/sentinel", TarEntry.Type.HARDLINK))),
                row("hardlink with dot-dot", Outcome.REFUSED, tar(link("h", OUT + "/sentinel", TarEntry.Type.HARDLINK))),
                row("hardlink through a planted symlink", Outcome.REFUSED,
                        tar(link("l", OUT, TarEntry.Type.SYMLINK), link("h", "l/sentinel", TarEntry.Type.HARDLINK))),
                row("hardlink through a symlink already in the rootfs", Outcome.REFUSED,
                        tar(link("h", "pre/sentinel", TarEntry.Type.HARDLINK)),
                        (r, o) -> Files.createSymbolicLink(r.resolve("pre"), Path.of(OUT))),
                row("hardlink to a directory", Outcome.REFUSED, tar(dir("d"), link("h", "d", TarEntry.Type.HARDLINK))),
                row("symlink named dot", Outcome.REFUSED, tar(link(".", abs, TarEntry.Type.SYMLINK), file("x", 0))),
                row("symlink named slash", Outcome.REFUSED, tar(link("/", abs, TarEntry.Type.SYMLINK), file("x", 0))),
                row("file replaces a symlink pointing out", Outcome.HARMLESS, tar(file("f", 0)),
                        (r, o) -> Files.createSymbolicLink(r.resolve("f"), Path.of(OUT + "/sentinel"))),
                row("directory replaces a symlink pointing out", Outcome.HARMLESS, tar(dir("d"), file("d/sentinel", 0)),
                        (r, o) -> Files.createSymbolicLink(r.resolve("d"), Path.of(OUT))),
                row("whiteout with dot-dot", Outcome.REFUSED, tar(file(OUT + "/.wh.sentinel", 0))),
                row("whiteout through a planted symlink", Outcome.HARMLESS,
                        tar(link("l", OUT, TarEntry.Type.SYMLINK), file("l/.wh.sentinel", 0))),
                row("opaque whiteout in a symlinked directory", Outcome.HARMLESS,
                        tar(link("l", OUT, TarEntry.Type.SYMLINK), file("l/.wh..wh..opq", 0))),
                row("device node through a symlink", Outcome.HARMLESS,
                        tar(link("l", OUT, TarEntry.Type.SYMLINK), device("l/null"))),
                row("symlink whose name climbs out", Outcome.REFUSED, tar(link(OUT + "/evil", "/", TarEntry.Type.SYMLINK)))));
        byte[] good = tar(dir("a"), file("a/one", 0), file("a/two", 0));
        rows.add(row("truncated archive", Outcome.REFUSED, Arrays.copyOf(good, 512 + 3)));
        byte[] corrupt = good.clone();
        corrupt[5] ^= 0x20; // inside the first header's name: the checksum no longer matches
        rows.add(row("corrupt header checksum", Outcome.REFUSED, corrupt));
        return rows;
    }

    /** Makes the sentinel directory beside {@code root}: one file with known content and mode. */
    public static Path makeOutside(Path parent) throws IOException {
        Path outside = Files.createDirectories(parent.resolve("outside"));
        Path sentinel = Files.writeString(outside.resolve("sentinel"), "do not touch\n");
        Files.setPosixFilePermissions(sentinel, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        return outside;
    }

    /** Used by tests to check nothing changed outside. */
    public static void forEachRow(Path outside, Consumer<Row> each) {
        rows(outside).forEach(each);
    }
}

package dev.kiln.store;

import dev.kiln.layer.Change;
import dev.kiln.layer.Changes;
import dev.kiln.layer.LayerApplier;
import dev.kiln.layer.LayerOptions;
import dev.kiln.layer.LayerWriter;
import dev.kiln.linux.Linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Kernel overlayfs. A snapshot is one layer alone in overlay form (whiteouts as 0:0 char devices,
 * opaque dirs as trusted.overlay.opaque=y). A container is {@code upper/ work/ merged/} plus
 * {@code l/0 … l/N}, short symlinks to its lowers (top first): the mount option string must fit
 * in a page, and long snapshot paths times many layers would not (see {@link OverlayMount}).
 * Commit walks only upper/.
 */
public final class OverlayDriver implements SnapshotDriver {
    @Override
    public boolean layersStandAlone() {
        return true;
    }

    @Override
    public String name() {
        return "overlay";
    }

    @Override
    public void buildSnapshot(Path fs, Path parentFs, InputStream tar) throws IOException {
        LayerApplier.apply(tar, fs, LayerApplier.Mode.OVERLAY, null);
    }

    @Override
    public void create(Path containerDir, Path publishedAt, List<Path> lowerDirsTopFirst) throws IOException {
        for (String d : List.of("upper", "work", "merged", "l", "empty")) Files.createDirectories(containerDir.resolve(d));
        List<Path> lowers = new ArrayList<>(lowerDirsTopFirst);
        // overlayfs needs at least one lower; FROM scratch gets an empty one.
        if (lowers.isEmpty()) lowers.add(publishedAt.resolve("empty"));
        Path links = publishedAt.resolve("l").toAbsolutePath();
        for (int i = 0; i < lowers.size(); i++) {
            Path link = containerDir.resolve("l").resolve(Integer.toString(i));
            Files.createSymbolicLink(link, links.relativize(lowers.get(i).toAbsolutePath()));
        }
        Lowers.write(containerDir, publishedAt, lowerDirsTopFirst);
    }

    @Override
    public Path mount(Path containerDir) throws IOException {
        Path merged = containerDir.resolve("merged");
        if (isMounted(merged)) return merged;
        OverlayMount.mountContainer(containerDir, Math.max(1, Lowers.read(containerDir).size()));
        return merged;
    }

    @Override
    public void unmount(Path containerDir) throws IOException {
        Path merged = containerDir.resolve("merged");
        if (isMounted(merged)) Linux.umount(merged.toAbsolutePath(), 0);
    }

    @Override
    public List<Change> changes(Path containerDir) throws IOException {
        return Changes.ofOverlayUpper(containerDir.resolve("upper"), Lowers.read(containerDir));
    }

    @Override
    public void writeDiff(Path containerDir, OutputStream out, LayerOptions opts) throws IOException {
        LayerWriter.writeOverlayUpper(containerDir.resolve("upper"), out, opts);
    }

    @Override
    public void dropBareCopyUps(Path containerDir, List<String> dirs) throws IOException {
        if (isMounted(containerDir.resolve("merged"))) {
            throw new IllegalStateException("dropping copy-ups of " + containerDir + " while it is mounted");
        }
        Path upper = containerDir.resolve("upper");
        List<Path> lowers = Lowers.read(containerDir);
        List<String> deepestFirst = dirs.stream().map(d -> d.replaceAll("^/+|/+$", "")).filter(d -> !d.isEmpty())
                .distinct().sorted(java.util.Comparator.comparingInt(String::length).reversed()).toList();
        for (String rel : deepestFirst) {
            if (Changes.isBareCopyUp(upper, lowers, rel)) Files.delete(upper.resolve(rel));
        }
    }

    @Override
    public void takeSnapshot(Path containerDir, Path snapshotFs) throws IOException {
        requireUnmounted(containerDir);
        Path upper = containerDir.resolve("upper");
        Files.deleteIfExists(snapshotFs);
        Files.move(upper, snapshotFs, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.createDirectories(upper);
    }

    @Override
    public void rebase(Path containerDir, List<Path> lowersTopFirst) throws IOException {
        requireUnmounted(containerDir);
        for (String d : List.of("upper", "work", "l")) {
            Path p = containerDir.resolve(d);
            if (Files.exists(p)) Fs.deleteTree(p);
        }
        Files.deleteIfExists(containerDir.resolve(Lowers.FILE));
        create(containerDir, containerDir, lowersTopFirst);
    }

    private static void requireUnmounted(Path containerDir) throws IOException {
        if (isMounted(containerDir.resolve("merged"))) {
            throw new IllegalStateException("changing the layers of " + containerDir + " while it is mounted");
        }
    }

    @Override
    public void remove(Path containerDir) throws IOException {
        unmount(containerDir);
        Fs.deleteTree(containerDir);
    }

    /** Whether {@code dir} is a mount point in this process's mount namespace (/proc/self/mountinfo). */
    static boolean isMounted(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return false;
        String want = dir.toRealPath().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            if (f.length > 4 && unescape(f[4]).equals(want)) return true;
        }
        return false;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo (proc(5)). */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}

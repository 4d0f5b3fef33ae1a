package dev.kiln.layer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Lists what changed, sorted by path, as {@code podman diff} does: paths absolute ("/etc/foo"),
 * every added path listed (each file inside an added directory too), a deleted directory listed
 * once (not its contents). No symlink is ever followed.
 */
public final class Changes {
    private Changes() {}

    private static final Comparator<Change> BY_PATH = Comparator.comparing(Change::path, TreeWalker.BYTE_ORDER);

    /**
     * The changes an overlay upper directory holds relative to its lower layers ({@code lowers},
     * topmost first, each in overlay form): a path absent below is ADDED, present below CHANGED,
     * an overlay whiteout DELETED. "Below" is the merged view of the lowers: the topmost lower
     * holding the path, a whiteout of it, or an opaque directory above it decides. A directory
     * only copied up (same mode, owner, xattrs) is not listed: its new children are. A directory
     * made opaque over one present below (removed and made again) is CHANGED and its children
     * ADDED; the hidden lower children are not listed.
     */
    public static List<Change> ofOverlayUpper(Path upper, List<Path> lowers) throws IOException {
        List<Change> result = new ArrayList<>();
        Set<String> opaqueDirs = new HashSet<>();
        for (TreeWalker.Node n : TreeWalker.walk(upper)) {
            String path = "/" + n.name();
            if (n.meta().isOverlayWhiteout()) {
                result.add(new Change(Change.Kind.DELETED, path));
                continue;
            }
            boolean opaque = n.meta().isDir() && FileMeta.isOpaque(n.path());
            if (opaque) opaqueDirs.add(n.name());
            Path below = underOpaque(n.name(), opaqueDirs) ? null : MergedLowers.lookup(lowers, n.name());
            if (below == null) {
                result.add(new Change(Change.Kind.ADDED, path));
            } else if (!n.meta().isDir() || opaque || dirChanged(below, n.path())) {
                result.add(new Change(Change.Kind.CHANGED, path));
            }
        }
        result.sort(BY_PATH);
        return result;
    }

    /**
     * Whether the upper directory {@code rel} (relative, no leading "/") is a bare copy-up: an
     * empty, non-opaque directory, under no opaque upper directory, over a lower directory with
     * the same mode, owner and xattrs. It changes nothing but an mtime, so removing it from the
     * upper (while unmounted) leaves the merged view as it is; overlayfs makes one when a file is
     * created in a lower directory and removed again, e.g. a runtime's mount point.
     */
    public static boolean isBareCopyUp(Path upper, List<Path> lowers, String rel) throws IOException {
        Path up = upper.resolve(rel);
        FileMeta m = FileMeta.ofOrNull(up);
        if (m == null || !m.isDir() || FileMeta.isOpaque(up) || !TreeWalker.list(up).isEmpty()) return false;
        for (Path p = Path.of(rel).getParent(); p != null; p = p.getParent()) {
            if (FileMeta.isOpaque(upper.resolve(p))) return false;
        }
        Path below = MergedLowers.lookup(lowers, rel);
        return below != null && FileMeta.of(below).isDir() && !dirChanged(below, up);
    }

    private static boolean underOpaque(String name, Set<String> opaqueDirs) {
        for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
            if (opaqueDirs.contains(name.substring(0, slash))) return true;
        }
        return false;
    }

    /**
     * The changes from {@code lowerRoot} to {@code upperRoot}, two full trees. A path is CHANGED
     * when its type, mode bits, owner, size, link target, device numbers or xattrs differ, or
     * when only its mtime differs and its content differs too (equal metadata with an equal mtime
     * is trusted, as containers/storage trusts it). Directories are listed as CHANGED only when
     * their own mode, owner or xattrs changed. A directory replaced by a non-directory is CHANGED;
     * its old contents are not listed (applying the layer replaces the directory whole).
     */
    public static List<Change> compare(Path lowerRoot, Path upperRoot) throws IOException {
        List<Change> result = new ArrayList<>();
        compareDir(lowerRoot, upperRoot, "/", result);
        result.sort(BY_PATH);
        return result;
    }

    /** {@code lowerDir} null: everything in {@code upperDir} is new. */
    private static void compareDir(Path lowerDir, Path upperDir, String prefix, List<Change> into)
            throws IOException {
        Set<String> upperNames = new HashSet<>();
        for (Path up : TreeWalker.list(upperDir)) {
            String name = up.getFileName().toString();
            upperNames.add(name);
            FileMeta upMeta = FileMeta.of(up);
            Path low = lowerDir == null ? null : lowerDir.resolve(name);
            FileMeta lowMeta = low == null ? null : FileMeta.ofOrNull(low);
            String path = prefix + name;
            if (lowMeta == null) {
                into.add(new Change(Change.Kind.ADDED, path));
            } else if (changed(low, lowMeta, up, upMeta)) {
                into.add(new Change(Change.Kind.CHANGED, path));
            }
            if (upMeta.isDir()) {
                compareDir(lowMeta != null && lowMeta.isDir() ? low : null, up, path + "/", into);
            }
        }
        if (lowerDir == null) return;
        for (Path low : TreeWalker.list(lowerDir)) {
            String name = low.getFileName().toString();
            if (!upperNames.contains(name)) into.add(new Change(Change.Kind.DELETED, prefix + name));
        }
    }

    private static boolean changed(Path low, FileMeta a, Path up, FileMeta b) throws IOException {
        if (a.kind() != b.kind() || a.mode() != b.mode() || a.uid() != b.uid() || a.gid() != b.gid()) return true;
        if (!sameXattrs(low, up)) return true;
        return switch (b.kind()) {
            case DIR, FIFO, SOCKET -> false;
            case CHAR, BLOCK -> a.rdev() != b.rdev();
            case SYMLINK -> !Files.readSymbolicLink(low).equals(Files.readSymbolicLink(up));
            case FILE -> a.size() != b.size() || a.mtimeNanos() != b.mtimeNanos() && !sameContent(low, up);
        };
    }

    private static boolean dirChanged(Path below, Path up) throws IOException {
        FileMeta a = FileMeta.of(below), b = FileMeta.of(up);
        return a.mode() != b.mode() || a.uid() != b.uid() || a.gid() != b.gid() || !sameXattrs(below, up);
    }

    private static boolean sameXattrs(Path a, Path b) throws IOException {
        Map<String, byte[]> x = FileMeta.xattrs(a), y = FileMeta.xattrs(b);
        if (!x.keySet().equals(y.keySet())) return false;
        for (Map.Entry<String, byte[]> e : x.entrySet()) {
            if (!Arrays.equals(e.getValue(), y.get(e.getKey()))) return false;
        }
        return true;
    }

    private static boolean sameContent(Path a, Path b) throws IOException {
        try (InputStream x = Files.newInputStream(a, LinkOption.NOFOLLOW_LINKS);
             InputStream y = Files.newInputStream(b, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bx = new byte[64 * 1024], by = new byte[64 * 1024];
            while (true) {
                int nx = x.readNBytes(bx, 0, bx.length), ny = y.readNBytes(by, 0, by.length);
                if (nx != ny || !Arrays.equals(bx, 0, nx, by, 0, ny)) return false;
                if (nx < bx.length) return true;
            }
        }
    }

    /** Looks a path up in the merged view of overlay lower layers (kernel overlayfs.rst). */
    private static final class MergedLowers {
        /** The lower path visible at {@code name}, or null when the merged lowers hold nothing there. */
        static Path lookup(List<Path> lowers, String name) throws IOException {
            List<Path> layers = lowers;
            String[] parts = name.split("/");
            String sofar = "";
            Path found = null;
            for (String part : parts) {
                sofar = sofar.isEmpty() ? part : sofar + "/" + part;
                List<Path> merged = new ArrayList<>();
                found = null;
                for (Path layer : layers) {
                    Path p = layer.resolve(sofar);
                    FileMeta m = FileMeta.ofOrNull(p);
                    if (m == null) continue;
                    if (found == null) {
                        if (m.isOverlayWhiteout()) return null;
                        found = p;
                        if (!m.isDir()) break;
                    } else if (!m.isDir()) {
                        break; // a whiteout or non-directory below ends the merge
                    }
                    merged.add(layer);
                    if (FileMeta.isOpaque(p)) break;
                }
                if (found == null) return null;
                if (merged.isEmpty() && !Objects.equals(sofar, name)) return null; // a file, not a directory
                layers = merged;
            }
            return found;
        }
    }
}

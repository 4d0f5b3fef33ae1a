package dev.kiln.layer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares two directory trees exactly, for {@code fsck --full}: every path's type, mode, owner,
 * size, content (always read: an equal mtime proves nothing here), link target, device numbers,
 * xattrs and overlay opaque mark. Times are not compared: unpacking sets them, but a directory
 * the layer does not list gets the time it was made. One directory at a time, so memory follows
 * the widest directory, not the tree.
 */
public final class TreeComparison {
    private TreeComparison() {}

    /** Up to {@code limit} differences ("/etc/passwd: content differs"); empty when the trees are equal. */
    public static List<String> differences(Path expected, Path actual, int limit) throws IOException {
        List<String> out = new ArrayList<>();
        compareDir(expected, actual, "/", out, limit);
        return out;
    }

    private static void compareDir(Path expected, Path actual, String prefix, List<String> out, int limit)
            throws IOException {
        Set<String> seen = new HashSet<>();
        for (Path e : TreeWalker.list(expected)) {
            if (out.size() >= limit) return;
            String name = e.getFileName().toString();
            seen.add(name);
            Path a = actual.resolve(name);
            FileMeta em = FileMeta.of(e), am = FileMeta.ofOrNull(a);
            String path = prefix + name;
            if (am == null) {
                out.add(path + ": missing");
                continue;
            }
            String why = difference(e, em, a, am);
            if (why != null) out.add(path + ": " + why);
            else if (em.isDir()) compareDir(e, a, path + "/", out, limit);
        }
        for (Path a : TreeWalker.list(actual)) {
            if (out.size() >= limit) return;
            if (!seen.contains(a.getFileName().toString())) out.add(prefix + a.getFileName() + ": not in the layer");
        }
    }

    private static String difference(Path e, FileMeta em, Path a, FileMeta am) throws IOException {
        if (em.kind() != am.kind()) return "type " + em.kind() + " became " + am.kind();
        if (em.mode() != am.mode()) return "mode " + Integer.toOctalString(em.mode()) + " became " + Integer.toOctalString(am.mode());
        if (em.uid() != am.uid() || em.gid() != am.gid()) {
            return "owner " + em.uid() + ":" + em.gid() + " became " + am.uid() + ":" + am.gid();
        }
        if (!sameXattrs(e, a) || em.isDir() && FileMeta.isOpaque(e) != FileMeta.isOpaque(a)) return "xattrs differ";
        return switch (em.kind()) {
            case DIR, FIFO, SOCKET -> null;
            case CHAR, BLOCK -> em.rdev() == am.rdev() ? null : "device numbers differ";
            case SYMLINK -> Files.readSymbolicLink(e).equals(Files.readSymbolicLink(a)) ? null : "link target differs";
            case FILE -> em.size() != am.size() ? "size " + em.size() + " became " + am.size()
                    : sameContent(e, a) ? null : "content differs";
        };
    }

    private static boolean sameXattrs(Path a, Path b) throws IOException {
        Map<String, byte[]> x = FileMeta.xattrs(a), y = FileMeta.xattrs(b);
        if (!x.keySet().equals(y.keySet())) return false;
        for (Map.Entry<String, byte[]> en : x.entrySet()) {
            if (!Arrays.equals(en.getValue(), y.get(en.getKey()))) return false;
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
}

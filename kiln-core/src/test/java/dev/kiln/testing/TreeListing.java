package dev.kiln.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A comparable listing of a directory tree: one line per entry with type, mode, uid, gid, size,
 * content hash and link target. Two trees are "the same" when their listings are equal.
 */
public final class TreeListing {
    private TreeListing() {}

    /** Path (relative, "/"-rooted) → "type mode uid:gid size sha256|->target". */
    public static Map<String, String> of(Path root, Set<String> ignore) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = "/" + root.relativize(p).toString();
                if (rel.equals("/") || ignore.contains(rel)) continue;
                out.put(rel, describe(p));
            }
        }
        return out;
    }

    public static String describe(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,rdev", LinkOption.NOFOLLOW_LINKS);
        int mode = (int) a.get("mode");
        String type = switch (mode & 0170000) {
            case 0040000 -> "dir";
            case 0100000 -> "file";
            case 0120000 -> "link";
            case 0020000 -> "chr";
            case 0060000 -> "blk";
            case 0010000 -> "fifo";
            default -> "other";
        };
        StringBuilder sb = new StringBuilder(type).append(' ').append(Integer.toOctalString(mode & 07777))
                .append(' ').append(a.get("uid")).append(':').append(a.get("gid"));
        switch (type) {
            case "file" -> sb.append(' ').append(a.get("size")).append(' ').append(sha256(p));
            case "link" -> sb.append(" -> ").append(Files.readSymbolicLink(p));
            case "chr", "blk" -> sb.append(" rdev=").append(a.get("rdev"));
            default -> { }
        }
        return sb.toString();
    }

    private static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Every file under {@code root} with its size: a fingerprint for "the store is as it was".
     * The store's process coordination is left out: its lock files (*.lock at the top, created on
     * first use) and leases/ (one per open store, gone when it closes).
     */
    public static Map<String, Long> files(Path root) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        if (!Files.exists(root)) return out;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = root.relativize(p).toString();
                if (rel.startsWith("leases/") || !rel.contains("/") && rel.endsWith(".lock")) continue;
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) out.put(rel, Files.size(p));
            }
        }
        return out;
    }
}

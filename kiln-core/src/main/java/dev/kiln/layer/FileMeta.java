package dev.kiln.layer;

import dev.kiln.linux.Linux;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** What lstat(2) says about one path; never follows a final symlink. Package-private helper. */
record FileMeta(Kind kind, int mode, int uid, int gid, long size, long mtimeNanos, long dev, long ino,
                long rdev, int nlink) {

    enum Kind { FILE, DIR, SYMLINK, CHAR, BLOCK, FIFO, SOCKET }

    private static final String OVERLAY_XATTR_PREFIX = "trusted.overlay.";
    private static final String ATTRIBUTES = "unix:mode,uid,gid,size,lastModifiedTime,dev,ino,rdev,nlink";

    /** lstat of {@code path}; throws NoSuchFileException when absent. */
    static FileMeta of(Path path) throws IOException {
        // The attributes by name, not "unix:*": that also makes the owner and group principals,
        // a getpwuid and a getgrgid (NSS, /etc/passwd and /etc/group read) for every file — a
        // quarter of a large commit's syscall time in issue 7's profile.
        Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        return new FileMeta(kindOf(mode, path), mode & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"),
                (Long) a.get("size"), ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
                (Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("rdev"), (Integer) a.get("nlink"));
    }

    /** lstat of {@code path}, or null when nothing is there. */
    static FileMeta ofOrNull(Path path) throws IOException {
        try {
            return of(path);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static Kind kindOf(int mode, Path path) throws IOException {
        return switch (mode & 0170000) {
            case 0100000 -> Kind.FILE;
            case 0040000 -> Kind.DIR;
            case 0120000 -> Kind.SYMLINK;
            case 0020000 -> Kind.CHAR;
            case 0060000 -> Kind.BLOCK;
            case 0010000 -> Kind.FIFO;
            case 0140000 -> Kind.SOCKET;
            default -> throw new IOException("unknown file type " + Integer.toOctalString(mode) + " of " + path);
        };
    }

    boolean isDir() {
        return kind == Kind.DIR;
    }

    /** An overlayfs whiteout: a 0:0 character device (kernel overlayfs.rst, "whiteouts"). */
    boolean isOverlayWhiteout() {
        return kind == Kind.CHAR && rdev == 0;
    }

    int devMajor() {
        return Linux.major(rdev);
    }

    int devMinor() {
        return Linux.minor(rdev);
    }

    /** The xattrs of {@code path} except overlayfs' own ({@code trusted.overlay.*}), sorted by name. */
    static Map<String, byte[]> xattrs(Path path) throws IOException {
        List<String> names = Linux.listXattrs(path);
        Map<String, byte[]> result = new TreeMap<>();
        for (String name : names) {
            if (name.startsWith(OVERLAY_XATTR_PREFIX)) continue;
            byte[] value = Linux.getXattr(path, name);
            if (value != null) result.put(name, value);
        }
        return result;
    }

    /** Whether {@code path} is a directory overlayfs marked opaque ({@code trusted.overlay.opaque=y}). */
    static boolean isOpaque(Path path) throws IOException {
        byte[] v = Linux.getXattr(path, Whiteouts.OVERLAY_OPAQUE_XATTR);
        return v != null && v.length == 1 && v[0] == 'y';
    }
}

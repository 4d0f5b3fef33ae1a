package dev.kiln.store;

import dev.kiln.linux.Linux;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Copies a directory tree exactly, as {@code cp -a} does: types (files, dirs, symlinks, char and
 * block devices, fifos; sockets are skipped), owners, all 12 mode bits, xattrs (trusted.* too),
 * nanosecond mtimes, and hardlinks (files sharing an inode share one in the copy). Never follows
 * a symlink. Directory metadata is set after its children, so a read-only or timestamped
 * directory comes out as it went in. Runs as root (owners, devices, trusted xattrs).
 */
public final class TreeCopier {
    private TreeCopier() {}

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000, S_IFDIR = 0040000;

    /** Copies what is inside {@code from} into the existing directory {@code to}, and {@code from}'s own metadata onto {@code to}. */
    public static void copyContents(Path from, Path to) throws IOException {
        Map<Object, Path> inodes = new HashMap<>();
        Deque<Path[]> dirs = new ArrayDeque<>();
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(dir).toString());
                if (!dir.equals(from)) Files.createDirectory(target);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                copyEntry(file, to.resolve(from.relativize(file).toString()), inodes);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) throw exc;
                copyMetadata(dir, to.resolve(from.relativize(dir).toString()), S_IFDIR);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void copyEntry(Path src, Path dst, Map<Object, Path> inodes) throws IOException {
        Map<String, Object> a = Files.readAttributes(src, "unix:mode,nlink,ino,dev,rdev", NOFOLLOW);
        int mode = (Integer) a.get("mode");
        int type = mode & S_IFMT;
        if (type == S_IFSOCK) return;
        if ((Integer) a.get("nlink") > 1) {
            Object key = List.of(a.get("dev"), a.get("ino"));
            Path first = inodes.putIfAbsent(key, dst);
            if (first != null) {
                Files.createLink(dst, first);
                return;
            }
        }
        switch (type) {
            case S_IFREG -> Files.copy(src, dst, NOFOLLOW);
            case S_IFLNK -> Files.createSymbolicLink(dst, Files.readSymbolicLink(src));
            default -> {
                long rdev = (Long) a.get("rdev");
                Linux.mknod(dst, type | (mode & 07777), Linux.major(rdev), Linux.minor(rdev));
            }
        }
        copyMetadata(src, dst, type);
    }

    private static void copyMetadata(Path src, Path dst, int type) throws IOException {
        Map<String, Object> a = Files.readAttributes(src, "unix:mode,uid,gid,lastModifiedTime,lastAccessTime", NOFOLLOW);
        Linux.lchown(dst, (Integer) a.get("uid"), (Integer) a.get("gid"));
        // chmod after chown: chown clears setuid/setgid.
        if (type != S_IFLNK) Linux.chmod(dst, (Integer) a.get("mode"));
        for (String name : Linux.listXattrs(src)) {
            byte[] v = Linux.getXattr(src, name);
            if (v != null) Linux.setXattr(dst, name, v);
        }
        FileTime m = (FileTime) a.get("lastModifiedTime"), at = (FileTime) a.get("lastAccessTime");
        Linux.lutimes(dst, seconds(at), nanos(at), seconds(m), nanos(m));
    }

    private static long seconds(FileTime t) {
        return Math.floorDiv(t.to(TimeUnit.NANOSECONDS), 1_000_000_000L);
    }

    private static long nanos(FileTime t) {
        return Math.floorMod(t.to(TimeUnit.NANOSECONDS), 1_000_000_000L);
    }
}

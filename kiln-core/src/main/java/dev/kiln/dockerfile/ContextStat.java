package dev.kiln.dockerfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

/** What lstat(2) says about one context entry. */
record ContextStat(ContextFile.Type type, int mode, int uid, int gid, long size, Instant mtime, Instant ctime,
        String linkTarget, long device, long inode, int links) {

    private static final int S_IFMT = 0170000;

    static ContextStat of(Path p) {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,ctime,dev,ino,nlink", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the attributes of " + p, e);
        }
        int raw = (Integer) a.get("mode");
        ContextFile.Type type = switch (raw & S_IFMT) {
            case 0040000 -> ContextFile.Type.DIRECTORY;
            case 0120000 -> ContextFile.Type.SYMLINK;
            case 0010000 -> ContextFile.Type.FIFO;
            case 0020000 -> ContextFile.Type.CHAR_DEVICE;
            case 0060000 -> ContextFile.Type.BLOCK_DEVICE;
            case 0140000 -> ContextFile.Type.SOCKET;
            default -> ContextFile.Type.FILE;
        };
        long size = type == ContextFile.Type.FILE ? (Long) a.get("size") : 0;
        String link = type == ContextFile.Type.SYMLINK ? ContextPaths.readLink(p) : "";
        return new ContextStat(type, raw & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"), size,
                ((FileTime) a.get("lastModifiedTime")).toInstant(), ((FileTime) a.get("ctime")).toInstant(), link, (Long) a.get("dev"),
                (Long) a.get("ino"), (Integer) a.get("nlink"));
    }
}

package dev.kiln.dockerfile;

import dev.kiln.oci.Digest;
import java.nio.file.Path;
import java.time.Instant;

/**
 * One entry COPY/ADD selected from the build context: where it lies, what it is, and (lazily,
 * memoized) the digest of its content.
 *
 * <p>{@link #source()} is the matched source relative to the context root (after glob
 * expansion, {@code ..} clamping and symlink resolution; "" for the root itself).
 * {@link #path()} is the entry's path inside that source: for a directory source the path
 * below it ({@code sub/file.txt}), for a file or other non-directory source its own base name.
 * A directory source itself is not an entry; its contents are.
 */
public final class ContextFile {
    /** What an entry is. */
    public enum Type { FILE, DIRECTORY, SYMLINK, FIFO, CHAR_DEVICE, BLOCK_DEVICE, SOCKET }

    /**
     * The metadata the build cache keys on besides content (no times).
     *
     * @param linkTarget the symlink's target, "" for anything else
     */
    public record MetaKey(String path, Type type, int mode, long size, String linkTarget) {}

    private final String source;
    private final String path;
    private final Path hostPath;
    private final Type type;
    private final int mode;
    private final int uid;
    private final int gid;
    private final long size;
    private final Instant mtime;
    private final String linkTarget;
    private final long inode;
    private final int links;
    private final ContextHashCache hashes;
    private volatile Digest digest;

    ContextFile(String source, String path, Path hostPath, ContextStat stat, ContextHashCache hashes) {
        this.source = source;
        this.path = path;
        this.hostPath = hostPath;
        this.type = stat.type();
        this.mode = stat.mode();
        this.uid = stat.uid();
        this.gid = stat.gid();
        this.size = stat.size();
        this.mtime = stat.mtime();
        this.linkTarget = stat.linkTarget();
        this.inode = stat.inode();
        this.links = stat.links();
        this.hashes = hashes;
    }

    public String source() { return source; }

    public String path() { return path; }

    /** Where the entry is on this machine (inside the context directory). */
    public Path hostPath() { return hostPath; }

    public Type type() { return type; }

    /** Permission bits with setuid, setgid and sticky ({@code 07777}). */
    public int mode() { return mode; }

    public int uid() { return uid; }

    public int gid() { return gid; }

    /** Bytes of a regular file; 0 for anything else. */
    public long size() { return size; }

    public Instant mtime() { return mtime; }

    /** The target of a symlink as stored in it; "" for anything else. */
    public String linkTarget() { return linkTarget; }

    /** The inode number (with {@link #links()}, lets a copier keep hardlinks together). */
    public long inode() { return inode; }

    /** The hard link count. */
    public int links() { return links; }

    /**
     * sha256 over the content: the bytes of a regular file, the target of a symlink, nothing
     * for other types. Read once per (file, size, mtime, inode) per {@link Context}.
     */
    public Digest digest() {
        Digest d = digest;
        if (d == null) {
            d = hashes.digest(this);
            digest = d;
        }
        return d;
    }

    public MetaKey metaKey() {
        return new MetaKey(path, type, mode, size, linkTarget);
    }

    @Override
    public String toString() {
        return (source.isEmpty() ? "." : source) + ":" + path + " " + type + " " + Integer.toOctalString(mode);
    }
}

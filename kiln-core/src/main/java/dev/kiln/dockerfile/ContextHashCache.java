package dev.kiln.dockerfile;

import dev.kiln.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Content digests of one context's files, stat-then-hash: a file is read again only when its
 * (path, size, mtime, ctime, device, inode) changed since it was last hashed. A persistent cache
 * ({@link #persistent}) also remembers the digests of the last build of the same context
 * directory, as BuildKit's and git's stat caches do, so an unchanged context is not read again
 * build after build. Because ctime is part of the key and no one can set it, a file rewritten
 * in place with its size and mtime put back is still read again.
 */
final class ContextHashCache {
    private static final String HEADER = "kiln context digests v1";

    private record Key(Path path, long size, long mtimeNanos, long ctimeNanos, long device, long inode) {}

    private final ConcurrentHashMap<Key, Digest> digests = new ConcurrentHashMap<>();
    private final Map<Key, Digest> remembered;
    private final Context.DigestMemory memory;
    private final Digest pathKey;
    private final AtomicLong reads = new AtomicLong();

    /** A cache for this process only. */
    ContextHashCache() {
        this(null, null);
    }

    /**
     * A cache that starts from what {@code memory} holds under {@code pathKey} (nothing if it holds
     * nothing or not this format) and gives it, on {@link #save}, the digests this process used.
     */
    ContextHashCache(Context.DigestMemory memory, Digest pathKey) {
        this.memory = memory;
        this.pathKey = pathKey;
        this.remembered = memory == null ? Map.of() : parse(memory.read(pathKey));
    }

    Digest digest(ContextFile f) {
        return switch (f.type()) {
            case FILE -> fileDigest(f.hostPath());
            case SYMLINK -> Digest.sha256(f.linkTarget().getBytes(StandardCharsets.UTF_8));
            default -> Digest.sha256(new byte[0]);
        };
    }

    /** Stats again now, so a file changed since it was selected is hashed as it is now. */
    private Digest fileDigest(Path p) {
        ContextStat st = ContextStat.of(p);
        Key key = new Key(p, st.size(), nanos(st.mtime()), nanos(st.ctime()), st.device(), st.inode());
        return digests.computeIfAbsent(key, k -> {
            Digest known = remembered.get(k);
            return known != null ? known : read(p);
        });
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private Digest read(Path p) {
        reads.incrementAndGet();
        MessageDigest md = Digest.newSha256();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + p, e);
        }
        return Digest.ofSha256(md.digest());
    }

    /** How many times a file's content was read (tests check the cache with it). */
    long reads() {
        return reads.get();
    }

    /**
     * Gives the memory the digests this process used, so it holds the last build's files only.
     * Best effort: they are derived data, and failing to keep them never fails a build. Does
     * nothing for a process-only cache.
     */
    void save() {
        if (memory == null || digests.isEmpty()) return;
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (Map.Entry<Key, Digest> e : digests.entrySet()) {
            Key k = e.getKey();
            String path = k.path().toString();
            if (path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0) continue;
            b.append(k.size()).append(' ').append(k.mtimeNanos()).append(' ').append(k.ctimeNanos()).append(' ')
                    .append(k.device()).append(' ').append(k.inode()).append(' ').append(e.getValue().hex()).append(' ')
                    .append(path).append('\n');
        }
        try {
            memory.write(pathKey, b.toString().getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            // a cache: the next build reads the files
        }
    }

    private static Map<Key, Digest> parse(byte[] saved) {
        if (saved == null) return Map.of();
        String[] lines = new String(saved, StandardCharsets.UTF_8).split("\n");
        if (!lines[0].equals(HEADER)) return Map.of();
        Map<Key, Digest> out = new HashMap<>();
        try {
            for (int i = 1; i < lines.length; i++) {
                String[] f = lines[i].split(" ", 7);
                if (f.length != 7 || f[5].length() != 64) return Map.of();
                out.put(new Key(Path.of(f[6]), Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                        Long.parseLong(f[3]), Long.parseLong(f[4])), new Digest("sha256", f[5]));
            }
        } catch (RuntimeException e) {
            return Map.of(); // damaged or from another version: start empty, the build reads the files
        }
        return out;
    }
}

package dev.kiln.dockerfile;

import dev.kiln.oci.Digest;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
    private final Path file;
    private final AtomicLong reads = new AtomicLong();

    /** A cache for this process only. */
    ContextHashCache() {
        this(null, Map.of());
    }

    private ContextHashCache(Path file, Map<Key, Digest> remembered) {
        this.file = file;
        this.remembered = remembered;
    }

    /**
     * A cache that starts from what {@code file} remembers (nothing if it is missing or not
     * readable as this format) and writes back, on {@link #save}, the digests this process used.
     */
    static ContextHashCache persistent(Path file) {
        return new ContextHashCache(file, load(file));
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
        Key key = keyOf(p);
        return digests.computeIfAbsent(key, k -> {
            Digest known = remembered.get(k);
            return known != null ? known : read(p);
        });
    }

    private static Key keyOf(Path p) {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:size,lastModifiedTime,ctime,dev,ino", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the attributes of " + p, e);
        }
        return new Key(p, (Long) a.get("size"), nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")),
                (Long) a.get("dev"), (Long) a.get("ino"));
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
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
     * Writes the digests this process used to the persistent file (tmp file, then rename), so the
     * file holds the last build's files only. Best effort: the cache is derived data, and a
     * failure to write it never fails a build. Does nothing for a process-only cache.
     */
    void save() {
        if (file == null || digests.isEmpty()) return;
        // The store's naming for a file being replaced, so a leftover one is swept like the others.
        byte[] random = new byte[6];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(random);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + java.util.HexFormat.of().formatHex(random));
        try {
            Files.createDirectories(file.getParent());
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(HEADER);
                w.write('\n');
                for (Map.Entry<Key, Digest> e : digests.entrySet()) {
                    Key k = e.getKey();
                    String path = k.path().toString();
                    if (path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0) continue;
                    w.write(k.size() + " " + k.mtimeNanos() + " " + k.ctimeNanos() + " " + k.device() + " " + k.inode() + " "
                            + e.getValue().hex() + " " + path + "\n");
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover tmp file: gc sweeps these
            }
        }
    }

    private static Map<Key, Digest> load(Path file) {
        Map<Key, Digest> out = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            if (!HEADER.equals(r.readLine())) return Map.of();
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split(" ", 7);
                if (f.length != 7 || f[5].length() != 64) return Map.of();
                out.put(new Key(Path.of(f[6]), Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                        Long.parseLong(f[3]), Long.parseLong(f[4])), new Digest("sha256", f[5]));
            }
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException | RuntimeException e) {
            return Map.of(); // damaged or from another version: start empty, the build reads the files
        }
        return out;
    }
}

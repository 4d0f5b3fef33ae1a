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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Content digests of one context's files, stat-then-hash: a file is read again only when its
 * (path, size, mtime, device, inode) changed since it was last hashed in this process. A file
 * rewritten in place within one mtime tick with the same size would be missed; that is the
 * trade every stat cache (git's index, BuildKit's) makes.
 */
final class ContextHashCache {
    private record Key(Path path, long size, Instant mtime, long device, long inode) {}

    private final ConcurrentHashMap<Key, Digest> digests = new ConcurrentHashMap<>();
    private final AtomicLong reads = new AtomicLong();

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
        Key key = new Key(p, st.size(), st.mtime(), st.device(), st.inode());
        return digests.computeIfAbsent(key, k -> read(p));
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
}

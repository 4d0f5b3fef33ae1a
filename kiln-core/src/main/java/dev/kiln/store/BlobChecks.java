package dev.kiln.store;

import dev.kiln.oci.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * fsck of blobs/: every entry must be a regular file named by a well-formed digest; with
 * {@code full}, each is read and hashed, and one whose content does not match its name is
 * damaged (its images are reported by {@link ImageChecks}). Without {@code full} only names are
 * looked at here: sizes are checked against the descriptors that name the blobs.
 */
final class BlobChecks {
    private final Store store;
    private final Findings out;
    private final Set<Digest> corrupt = new HashSet<>();
    private int count;

    BlobChecks(Store store, Findings out) {
        this.store = store;
        this.out = out;
    }

    /** Runs the check; returns the blobs whose content does not match their digest. */
    Set<Digest> run(boolean full) throws IOException {
        for (Path algDir : Leftovers.children(store.root().resolve("blobs"))) {
            for (Path p : Leftovers.children(algDir)) {
                String text = algDir.getFileName() + ":" + p.getFileName();
                String rel = store.root().relativize(p).toString();
                if (!Digest.isDigest(text) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.leftover(rel, "is not a blob (not a regular file named by its digest)", new StoreFix.DeleteLeftover(p, null));
                    continue;
                }
                count++;
                if (full) verify(Digest.parse(text), p);
            }
        }
        return corrupt;
    }

    int count() {
        return count;
    }

    private void verify(Digest d, Path p) throws IOException {
        MessageDigest hasher = d.newHasher();
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) hasher.update(buf, 0, n);
        }
        Digest got = new Digest(d.algorithm(), HexFormat.of().formatHex(hasher.digest()));
        if (!got.equals(d)) {
            corrupt.add(d);
            out.damaged("blob " + d, "its content does not match its digest (it hashes to " + got + ")", new StoreFix.DeleteBlob(d));
        }
    }
}

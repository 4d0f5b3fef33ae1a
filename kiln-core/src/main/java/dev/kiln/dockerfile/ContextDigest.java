package dev.kiln.dockerfile;

import dev.kiln.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.List;

/**
 * The digest the build cache keys COPY/ADD on: one sha256 over every selected entry's source,
 * path, type, mode, uid, gid, size, link target and content digest, sorted by (source, path).
 * It changes when any selected entry's content or metadata changes, never for mtimes alone.
 */
public final class ContextDigest {
    private ContextDigest() {}

    public static Digest of(List<ContextFile> files) {
        MessageDigest md = Digest.newSha256();
        List<ContextFile> sorted = files.stream()
                .sorted(Comparator.comparing(ContextFile::source).thenComparing(ContextFile::path))
                .toList();
        for (ContextFile f : sorted) {
            // NUL cannot occur in a path or a link target, so fields cannot run into each other.
            String line = String.join("\0", f.source(), f.path(), f.type().name(), Integer.toOctalString(f.mode()),
                    Integer.toString(f.uid()), Integer.toString(f.gid()), Long.toString(f.size()),
                    f.linkTarget(), f.digest().toString()) + "\n";
            md.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return Digest.ofSha256(md.digest());
    }
}

package dev.kiln.layer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Applies layer tarballs to a directory safely: every name from the archive is untrusted and is
 * resolved one component at a time inside {@code root}; nothing outside it is ever created,
 * changed or read (absolute names, {@code ..}, symlinks planted earlier or already present,
 * hardlinks to outside). Hostile or corrupt input throws {@link dev.kiln.oci.InvalidInputException}
 * naming the entry.
 */
public final class LayerApplier {
    private LayerApplier() {}

    public enum Mode {
        /** Whiteouts become overlay whiteouts (0:0 char devices, trusted.overlay.opaque=y): a snapshot of one layer. */
        OVERLAY,
        /** Whiteouts delete what they name from {@code root}: flattening layers into one tree (vfs). */
        MERGE
    }

    /**
     * Applies an uncompressed tar stream. {@code owner} non-null overrides every entry's uid/gid
     * (for {@code add --chown}); null keeps the archive's. Returns the number of entries applied.
     */
    public static long apply(InputStream tar, Path root, Mode mode, Owner owner) throws IOException {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }

    /** A uid:gid pair. */
    public record Owner(int uid, int gid) {}
}

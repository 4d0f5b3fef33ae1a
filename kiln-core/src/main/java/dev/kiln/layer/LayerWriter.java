package dev.kiln.layer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes layer tarballs (uncompressed tar; compress by wrapping {@code out}). Entries are sorted
 * by path, with PAX headers for long names, large ids and xattrs; hardlinks within the written
 * set become tar hardlinks. {@code out} is not closed.
 */
public final class LayerWriter {
    private LayerWriter() {}

    /** The changes in an overlay upper directory (overlay whiteouts, opaque xattrs) as an OCI layer. */
    public static void writeOverlayUpper(Path upper, OutputStream out, LayerOptions opts) throws IOException {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }

    /** A whole directory tree as a layer with no whiteouts (squash, scratch). Skips nothing. */
    public static void writeTree(Path root, OutputStream out, LayerOptions opts) throws IOException {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }

    /**
     * The given changes (as {@link Changes#compare} lists them) with content read from
     * {@code newRoot}: ADDED/CHANGED as entries (with their parent directories), DELETED as
     * OCI whiteouts.
     */
    public static void writeChanges(Path newRoot, List<Change> changes, OutputStream out, LayerOptions opts)
            throws IOException {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }
}

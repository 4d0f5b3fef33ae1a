package dev.kiln.layer;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads tar streams (ustar, PAX, GNU long names); see {@link TarEntry}. A truncated or corrupt
 * stream throws {@link dev.kiln.oci.InvalidInputException}.
 */
public final class TarReader {
    public TarReader(InputStream in) {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }

    /** The next entry, or null at the end of the archive. Unread content of the previous entry is skipped. */
    public TarEntry next() throws IOException {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }

    /** The current FILE entry's content; reading past its size returns -1. */
    public InputStream content() {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }
}

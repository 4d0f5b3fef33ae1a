package dev.kiln.layer;

import java.io.IOException;
import java.io.OutputStream;

/** Layer and archive compression formats. */
public enum Compression {
    NONE, GZIP, ZSTD, BZIP2, XZ;

    /**
     * Wraps {@code out} so bytes written are compressed with this format, on every core for GZIP
     * (independent gzip members, as pigz does) and ZSTD. Closing the returned stream finishes the
     * compressed stream and closes {@code out}. BZIP2 and XZ are read-only: this throws for them.
     */
    public OutputStream compressing(OutputStream out) throws IOException {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }

    /** Parses "gzip", "zstd", "none" (user input); a clear error otherwise. */
    public static Compression parse(String unsafeName) {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }
}

package dev.kiln.layer;

import java.io.IOException;
import java.io.InputStream;

/** Reads compressed tarballs whatever their format. */
public final class Decompressor {
    private Decompressor() {}

    /** The format {@code in} is compressed with, from its magic bytes; {@code in} must support mark/reset. */
    public static Compression detect(InputStream in) throws IOException {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }

    /**
     * Wraps {@code in} so it yields the uncompressed stream, whatever of gzip, zstd, bzip2, xz or
     * none it was compressed with (detected from the magic bytes). A truncated or corrupt stream
     * fails with {@link dev.kiln.oci.InvalidInputException} when read.
     */
    public static InputStream decompressing(InputStream in) throws IOException {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }
}

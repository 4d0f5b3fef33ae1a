package dev.kiln.layer;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Writes POSIX (PAX) tar streams; see {@link TarEntry}. */
public final class TarWriter implements Closeable {
    public TarWriter(OutputStream out) {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }

    /** Writes a header and, for FILE entries, exactly {@code entry.size()} bytes from {@code content}. */
    public void write(TarEntry entry, InputStream content) throws IOException {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }

    /** Writes the end-of-archive blocks; does not close the underlying stream. */
    public void finish() throws IOException {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }

    @Override
    public void close() throws IOException {
        finish();
    }
}

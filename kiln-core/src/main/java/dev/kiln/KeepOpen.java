package dev.kiln;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Lets a compressor finish its stream (it closes what it wraps) without closing the blob sink
 * below, which must still be committed.
 */
final class KeepOpen extends FilterOutputStream {
    KeepOpen(OutputStream out) {
        super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}

package dev.kiln.layer;

import dev.kiln.oci.Digest;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Counts and SHA-256-hashes the bytes passing through to {@code out}, so one pass over a layer
 * yields both its diffID and its blob digest: tar -> digesting (diffID) -> compressor ->
 * digesting (blob digest) -> file. Closing closes {@code out}.
 */
public final class DigestingOutputStream extends FilterOutputStream {
    private final MessageDigest sha256 = Digest.newSha256();
    private long size;
    private Digest digest;

    public DigestingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        out.write(b);
        sha256.update((byte) b);
        size++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        out.write(b, off, len);
        sha256.update(b, off, len);
        size += len;
    }

    @Override
    public void close() throws IOException {
        if (digest != null) return;
        digest = Digest.ofSha256(sha256.digest());
        out.close();
    }

    /** The bytes written so far. */
    public long size() {
        return size;
    }

    /** The SHA-256 of everything written; only after {@link #close()}. */
    public Digest digest() {
        if (digest == null) throw new IllegalStateException("digest() before close()");
        return digest;
    }

    private void ensureOpen() throws IOException {
        if (digest != null) throw new IOException("write after close");
    }
}

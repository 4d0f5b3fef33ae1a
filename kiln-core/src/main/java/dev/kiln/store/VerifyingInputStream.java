package dev.kiln.store;

import dev.kiln.oci.Digest;
import dev.kiln.oci.InvalidInputException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Passes bytes through while hashing and counting them; at end of stream checks the size and the
 * digest, so no reader can forget to (umoci's VerifiedReadCloser). A stream longer than expected
 * fails as soon as it is. Closing before EOF verifies nothing.
 */
final class VerifyingInputStream extends FilterInputStream {
    private final Digest expected;
    private final long expectedSize;
    private final String what;
    private final MessageDigest hasher;
    private long count;
    private boolean verified;

    /** {@code expectedSize} -1 checks only the digest; {@code what} names the content in errors. */
    VerifyingInputStream(InputStream in, Digest expected, long expectedSize, String what) {
        super(in);
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.what = what;
        this.hasher = expected.newHasher();
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            verify();
        } else {
            hasher.update((byte) b);
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = in.read(buf, off, len);
        if (n < 0) {
            verify();
        } else {
            hasher.update(buf, off, n);
            counted(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(8192, Math.max(n, 1))];
        int r = read(buf, 0, (int) Math.min(n, buf.length));
        return Math.max(r, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void counted(int n) {
        count += n;
        if (expectedSize >= 0 && count > expectedSize) {
            throw new InvalidInputException(what + ": size mismatch: expected " + expectedSize
                    + " bytes, got more");
        }
    }

    private void verify() {
        if (verified) return;
        verified = true;
        if (expectedSize >= 0 && count != expectedSize) {
            throw new InvalidInputException(what + ": size mismatch: expected " + expectedSize + " bytes, got " + count);
        }
        Digest got = new Digest(expected.algorithm(), java.util.HexFormat.of().formatHex(hasher.digest()));
        if (!got.equals(expected)) {
            throw new InvalidInputException(what + ": digest mismatch: expected " + expected + " got " + got);
        }
    }
}

package dev.kiln.registry;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * A blob's bytes that check themselves: hashed as they pass, and at EOF the size and digest must
 * match the descriptor, or {@link InvalidInputException} is thrown (umoci's rule: the reader
 * verifies, so no caller can forget). When the connection drops before {@code size} bytes, it
 * reopens at the current offset (a Range request) up to {@code maxResumes} times.
 */
final class ResumingBlobStream extends InputStream {
    /** Opens the blob from a byte offset; must return a stream positioned exactly there. */
    interface Opener {
        InputStream open(long offset);
    }

    private final Descriptor descriptor;
    private final String what;
    private final Opener opener;
    private final int maxResumes;
    private final MessageDigest hasher;
    private InputStream in;
    private long position;
    private int resumes;
    private boolean verified;
    private boolean closed;

    ResumingBlobStream(Descriptor descriptor, String what, Opener opener, int maxResumes) {
        this.descriptor = descriptor;
        this.what = what;
        this.opener = opener;
        this.maxResumes = maxResumes;
        this.hasher = descriptor.digest().newHasher();
        this.in = opener.open(0);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException(what + ": stream closed");
        if (len == 0) return 0;
        while (true) {
            if (verified) return -1;
            int n;
            IOException failure = null;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                n = -1;
                failure = e;
            }
            if (n > 0) {
                position += n;
                if (position > descriptor.size()) {
                    throw new InvalidInputException(what + ": the registry sent more than the expected "
                            + descriptor.size() + " bytes");
                }
                hasher.update(b, off, n);
                return n;
            }
            if (n == 0) continue;
            if (position == descriptor.size() && failure == null) {
                verify();
                return -1;
            }
            resume(failure);
        }
    }

    private void resume(IOException failure) {
        closeQuietly();
        if (resumes >= maxResumes) {
            String why = failure == null ? "the connection ended early" : "the connection failed (" + failure.getMessage() + ")";
            throw new KilnException(what + ": " + why + " at byte " + position + " of " + descriptor.size()
                    + ", gave up after " + resumes + " resumed attempts", failure);
        }
        resumes++;
        in = opener.open(position);
    }

    private void verify() {
        Digest actual = new Digest(descriptor.digest().algorithm(), java.util.HexFormat.of().formatHex(hasher.digest()));
        if (!actual.equals(descriptor.digest())) {
            throw new InvalidInputException(what + ": the content's digest is " + actual + ", not the expected "
                    + descriptor.digest());
        }
        verified = true;
    }

    /** How many times the download was resumed (for tests and progress). */
    int resumes() {
        return resumes;
    }

    private void closeQuietly() {
        try {
            in.close();
        } catch (IOException e) {
            // the connection is already broken; a new one is opened
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        in.close();
    }
}

package dev.kiln.store;

import dev.kiln.linux.Linux;
import dev.kiln.oci.Digest;
import dev.kiln.oci.InvalidInputException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Ingests one blob: bytes written go to a file in the store's tmp/ while being hashed and
 * counted. {@link #commit} verifies and renames the file into blobs/ (the only way a blob
 * appears there); {@link #abort} or {@link #close} without commit deletes it. Not thread-safe.
 *
 * <p>A large blob's pages are handed to the disk as they are written ({@link Linux.Writeback},
 * every {@value #WRITEBACK_STEP} bytes): otherwise the kernel keeps them all dirty until the
 * fsync of {@link #commit}, which then writes the whole blob while nothing else happens (on the
 * bench machine ~1–1.5 s of a 460 MB commit's ~5 s; issue 7).
 */
public final class BlobSink extends OutputStream {
    private final Blobs blobs;
    private final Path tmpFile;
    private final FileChannel channel;
    private final OutputStream out;
    private final MessageDigest hasher;
    private final String algorithm;
    private final Linux.Writeback writeback;
    private long count;
    private long handedToDisk;
    private boolean done;

    BlobSink(Blobs blobs, Path tmpFile, String algorithm) throws IOException {
        this.blobs = blobs;
        this.tmpFile = tmpFile;
        this.algorithm = algorithm;
        this.hasher = new Digest(algorithm, algorithm.equals("sha256") ? "0".repeat(64) : "0".repeat(128)).newHasher();
        this.channel = FileChannel.open(tmpFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        this.writeback = new Linux.Writeback(tmpFile);
    }

    static final long WRITEBACK_STEP = 8L << 20;

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        out.write(b);
        hasher.update((byte) b);
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        out.write(b, off, len);
        hasher.update(b, off, len);
        count += len;
        if (count - handedToDisk >= WRITEBACK_STEP) handToDisk();
    }

    private void handToDisk() throws IOException {
        out.flush();
        writeback.start(handedToDisk, count - handedToDisk);
        handedToDisk = count;
    }

    /** Bytes written so far. */
    public long size() {
        return count;
    }

    /**
     * Finishes the blob: checks it against {@code expectedOrNull} and {@code expectedSizeOrMinus1}
     * (InvalidInputException "digest mismatch: expected … got …", and nothing left behind), then
     * renames it into blobs/. If the blob exists already the tmp file is dropped. Returns its digest.
     */
    public Digest commit(Digest expectedOrNull, long expectedSizeOrMinus1) {
        if (done) throw new IllegalStateException("blob sink " + tmpFile.getFileName() + " is already committed or aborted");
        done = true;
        try {
            out.flush();
            channel.force(true);
            out.close();
            Digest got = new Digest(algorithm, HexFormat.of().formatHex(hasher.digest()));
            check(expectedOrNull, expectedSizeOrMinus1, got);
            publish(got);
            return got;
        } catch (IOException e) {
            throw Fs.fail("storing blob from " + tmpFile, e);
        } finally {
            writeback.close();
            deleteTmp();
        }
    }

    private void deleteTmp() {
        try {
            Files.deleteIfExists(tmpFile);
        } catch (IOException e) {
            throw Fs.fail("deleting ingest file " + tmpFile, e);
        }
    }

    private void check(Digest expected, long expectedSize, Digest got) {
        if (expectedSize >= 0 && expectedSize != count) {
            throw new InvalidInputException("size mismatch: expected " + expectedSize + " bytes for "
                    + (expected != null ? expected : got) + ", got " + count);
        }
        if (expected != null && !expected.equals(got)) {
            throw new InvalidInputException("digest mismatch: expected " + expected + " got " + got);
        }
    }

    private void publish(Digest got) throws IOException {
        blobs.hold(got); // before the rename or the "exists" below: gc must not take it from under the caller
        Path target = blobs.path(got);
        Files.createDirectories(target.getParent());
        if (Files.exists(target)) {
            // Refresh the mtime: gc spares recent blobs, and a caller is about to reference this one.
            Files.setLastModifiedTime(target, FileTime.fromMillis(System.currentTimeMillis()));
            return;
        }
        Files.move(tmpFile, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Deletes the tmp file; the blob is not published. Idempotent. */
    public void abort() {
        if (done) return;
        done = true;
        try {
            out.close();
        } catch (IOException e) {
            throw Fs.fail("closing ingest file " + tmpFile, e);
        } finally {
            writeback.close();
            deleteTmp();
        }
    }

    /** Without a {@link #commit}, the same as {@link #abort}. */
    @Override
    public void close() {
        abort();
    }

    private void ensureOpen() throws IOException {
        if (done) throw new IOException("blob sink " + tmpFile.getFileName() + " is already committed or aborted");
    }
}

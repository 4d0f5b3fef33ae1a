package dev.kiln.store;

import dev.kiln.oci.Digest;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.NotFoundException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The content-addressed blobs of the store: {@code blobs/<algorithm>/<hex>} (image-spec
 * image-layout.md). Lifecycle of a blob: ingest into tmp/ ({@link #newSink}) → verify digest and
 * size → rename into blobs/. Reads verify at EOF. Also the compressed/ map: diffID → the blob
 * holding that layer compressed in a given format, so a layer is compressed once per format; and
 * the origins/ map: blob → the registry repositories ({@code host/repo}) it was pulled from or
 * pushed to, so a push can mount it from there instead of uploading it.
 */
public final class Blobs {
    /** Largest blob {@link #read} loads into memory: the largest config kiln accepts ({@link dev.kiln.oci.Limits}). */
    public static final long READ_LIMIT = dev.kiln.oci.Limits.CONFIG;
    private static final int MAX_ORIGINS = 8;
    private static final Pattern FORMAT = Pattern.compile("[a-z0-9]+");

    private final Path root;
    private final Path blobsDir;
    private final Path compressedDir;
    private final Path originsDir;
    private final Store store;

    Blobs(Path root, Store store) {
        this.root = root;
        this.blobsDir = root.resolve("blobs");
        this.compressedDir = root.resolve("compressed");
        this.originsDir = root.resolve("origins");
        this.store = store;
    }

    public boolean has(Digest d) {
        return Files.isRegularFile(path(d));
    }

    /**
     * {@link #has}, for a blob the caller will reference if it is there (a pull skipping a layer
     * it has): the blob is held first (see {@link Lease}), so gc cannot delete it in between.
     */
    public boolean adopt(Digest d) {
        store.hold(List.of(d));
        return has(d);
    }

    /** Holds {@code d} for this process (see {@link Lease}); BlobSink calls it before publishing. */
    void hold(Digest d) {
        store.hold(List.of(d));
    }

    /** Where the blob lives (or would live). */
    public Path path(Digest d) {
        return blobsDir.resolve(d.algorithm()).resolve(d.hex());
    }

    public long size(Digest d) {
        try {
            return Files.size(path(d));
        } catch (NoSuchFileException e) {
            throw missing(d);
        } catch (IOException e) {
            throw Fs.fail("reading the size of blob " + d, e);
        }
    }

    /**
     * Opens the blob for reading. The stream checks size and digest at EOF and throws
     * InvalidInputException "blob … in store … is corrupt: …" on mismatch.
     */
    public InputStream open(Digest d) {
        Path p = path(d);
        try {
            long size = Files.size(p);
            return new VerifyingInputStream(Files.newInputStream(p), d, size,
                    "blob " + d + " in store " + root + " is corrupt");
        } catch (NoSuchFileException e) {
            throw missing(d);
        } catch (IOException e) {
            throw Fs.fail("opening blob " + d, e);
        }
    }

    /** Reads a small blob (manifest, config) whole, verified; refuses blobs over {@link #READ_LIMIT}. */
    public byte[] read(Digest d) {
        long size = size(d);
        if (size > READ_LIMIT) {
            throw new InvalidInputException("blob " + d + " is " + size + " bytes, more than the "
                    + (READ_LIMIT >> 20) + " MiB kiln reads into memory: it is not a manifest or config");
        }
        try (InputStream in = open(d)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw Fs.fail("reading blob " + d, e);
        }
    }

    /** Stores {@code bytes} and returns their sha256 digest. */
    public Digest put(byte[] bytes) {
        try (BlobSink sink = newSink()) {
            sink.write(bytes);
            return sink.commit(null, bytes.length);
        } catch (IOException e) {
            throw Fs.fail("storing a blob", e);
        }
    }

    /** A sink hashing with sha256; see {@link BlobSink}. Close it (commit or not). */
    public BlobSink newSink() {
        return newSink("sha256");
    }

    private BlobSink newSink(String algorithm) {
        Path tmpDir = store.tmpDir();
        try {
            return new BlobSink(this, Fs.tmpName(tmpDir, "ingest-"), algorithm);
        } catch (IOException e) {
            throw Fs.fail("creating an ingest file in " + tmpDir, e);
        }
    }

    /**
     * Copies {@code in} into the store, verifying it against {@code expected} (may be null) and
     * {@code expectedSize} (-1: unknown). A mismatch leaves nothing behind. Does not close {@code in}.
     */
    public Digest ingest(InputStream in, Digest expected, long expectedSize) {
        try (BlobSink sink = newSink(expected == null ? "sha256" : expected.algorithm())) {
            in.transferTo(sink);
            return sink.commit(expected, expectedSize);
        } catch (IOException e) {
            throw Fs.fail("ingesting blob " + (expected == null ? "" : expected), e);
        }
    }

    /** Deletes the blob; absent is fine. Only gc and tests should call this. */
    public void delete(Digest d) {
        try {
            Files.deleteIfExists(path(d));
        } catch (IOException e) {
            throw Fs.fail("deleting blob " + d, e);
        }
    }

    /** The blob holding layer {@code diffId} compressed as {@code format} ("gzip", "zstd"), if recorded and present. */
    public Optional<Digest> compressed(Digest diffId, String format) {
        Path p = compressedPath(diffId, format);
        try {
            Digest blob = Digest.parse(Files.readString(p, StandardCharsets.UTF_8).strip());
            return has(blob) ? Optional.of(blob) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw Fs.fail("reading " + p, e);
        }
    }

    /** Remembers that {@code blob} is layer {@code diffId} compressed as {@code format}. */
    public void recordCompressed(Digest diffId, String format, Digest blob) {
        Path p = compressedPath(diffId, format);
        try {
            Files.createDirectories(p.getParent());
            Fs.writeAtomically(p, blob.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw Fs.fail("recording compressed blob " + blob + " of layer " + diffId, e);
        }
    }

    Path compressedPath(Digest diffId, String format) {
        if (!FORMAT.matcher(format).matches()) {
            throw new InvalidInputException("malformed compression format name '" + format + "'");
        }
        return compressedDir.resolve(format).resolve(diffId.hex());
    }

    /** The repositories ({@code host/repo}) {@code blob} is known to be in, most recent last; empty if none. */
    public List<String> origins(Digest blob) {
        Path p = originsDir.resolve(blob.algorithm()).resolve(blob.hex());
        try {
            return Files.readAllLines(p, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw Fs.fail("reading " + p, e);
        }
    }

    /**
     * Remembers that the registry repository {@code hostAndRepo} has {@code blob} (at most the
     * last {@value #MAX_ORIGINS} repositories are kept). Advisory: a lost update only costs an upload.
     */
    public void recordOrigin(Digest blob, String hostAndRepo) {
        if (hostAndRepo.contains("\n")) throw new InvalidInputException("malformed repository name '" + hostAndRepo + "'");
        List<String> known = new ArrayList<>(origins(blob));
        if (!known.isEmpty() && known.getLast().equals(hostAndRepo)) return;
        known.remove(hostAndRepo);
        known.add(hostAndRepo);
        if (known.size() > MAX_ORIGINS) known = known.subList(known.size() - MAX_ORIGINS, known.size());
        Path p = originsDir.resolve(blob.algorithm()).resolve(blob.hex());
        try {
            Files.createDirectories(p.getParent());
            Fs.writeAtomically(p, (String.join("\n", known) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw Fs.fail("recording where blob " + blob + " came from", e);
        }
    }

    private NotFoundException missing(Digest d) {
        return new NotFoundException("blob " + d + " is not in store " + root);
    }
}

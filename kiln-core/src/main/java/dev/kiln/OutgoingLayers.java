package dev.kiln;

import dev.kiln.layer.Compression;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.store.BlobSink;
import dev.kiln.store.Store;
import dev.kiln.transport.ImageData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * The layers of a local image as they leave the machine: an uncompressed layer is compressed
 * once per format, the result kept in the store and remembered in {@code compressed/} so the next
 * push reuses it; already compressed layers go as they are.
 */
final class OutgoingLayers {
    private final Store store;
    private final Compression compression;

    OutgoingLayers(Store store, Compression compression) {
        this.store = store;
        this.compression = compression;
    }

    /** {@code layer} as pushed: compressed now unless it needs no compression or its compressed blob is known. */
    Descriptor outgoing(Descriptor layer, Digest diffId) {
        return known(layer, diffId).orElseGet(() -> compress(layer, diffId));
    }

    /** {@code layer} as pushed if no compressing is needed for it (the compressed blob is then held for this process). */
    Optional<Descriptor> known(Descriptor layer, Digest diffId) {
        if (!needsCompressing(layer)) return Optional.of(layer);
        Optional<Digest> known = store.blobs().compressed(diffId, format());
        if (known.isPresent() && store.blobs().adopt(known.get())) return Optional.of(described(layer, known.get()));
        return Optional.empty();
    }

    /** Compresses {@code layer} into a new blob of the store and remembers it as {@code diffId}'s in this format. */
    Descriptor compress(Descriptor layer, Digest diffId) {
        return compress(layer, diffId, OutputStream.nullOutputStream());
    }

    /**
     * As {@link #compress(Descriptor, Digest)}, writing the compressed bytes to {@code alsoTo} too
     * as they are made (a streamed upload), and closing it when they end. The blob is published
     * only once complete and verified, whatever happens to {@code alsoTo}.
     */
    Descriptor compress(Descriptor layer, Digest diffId, OutputStream alsoTo) {
        Digest blob;
        try (BlobSink sink = store.blobs().newSink()) {
            try (InputStream in = store.blobs().open(layer.digest());
                 OutputStream out = compression.compressing(new Tee(new KeepOpen(sink), alsoTo))) {
                in.transferTo(out);
            }
            blob = sink.commit(null, -1);
        } catch (IOException e) {
            throw new KilnException("compressing layer " + layer.digest() + ": " + e.getMessage(), e);
        }
        store.blobs().recordCompressed(diffId, format(), blob);
        return described(layer, blob);
    }

    boolean needsCompressing(Descriptor layer) {
        boolean uncompressed = layer.mediaType().equals(MediaType.OCI_LAYER) || layer.mediaType().equals(MediaType.DOCKER_LAYER);
        return uncompressed && compression != Compression.NONE;
    }

    private Descriptor described(Descriptor layer, Digest blob) {
        String mt = compression == Compression.GZIP ? MediaType.OCI_LAYER_GZIP : MediaType.OCI_LAYER_ZSTD;
        return Descriptor.of(mt, blob, store.blobs().size(blob)).withAnnotations(layer.annotations());
    }

    private String format() {
        return compression.name().toLowerCase();
    }

    /** Writes to both; closing ends both, the first one first. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            first.flush();
            second.flush();
        }

        @Override
        public void close() throws IOException {
            try (second) {
                first.close();
            }
        }
    }

    /** The image with {@code layers} (as {@link #outgoing} gave them) and its media types converted. */
    static ImageData image(Store store, LocalImage image, List<Descriptor> layers, boolean toDocker) {
        Manifest m = image.manifest().withLayers(layers);
        m = toDocker ? m.toDocker() : m.toOci();
        if (m.equals(image.manifest())) return stored(store, image, image.manifest(), image.manifestBytes(), image.mediaType());
        return stored(store, image, m, m.toJson(), toDocker ? MediaType.DOCKER_MANIFEST : MediaType.OCI_MANIFEST);
    }

    /** An image whose blobs are read from the store. */
    static ImageData stored(Store store, LocalImage image, Manifest manifest, byte[] manifestBytes, String mediaType) {
        return new ImageData(manifestBytes, manifest, mediaType, image.configBytes(), null,
                blob -> store.blobs().open(blob.digest()));
    }
}

package dev.kiln;

import dev.kiln.layer.Compression;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Reference;
import dev.kiln.registry.RegistryClient;
import dev.kiln.registry.StreamedUpload;
import dev.kiln.store.Store;
import dev.kiln.transport.BlobOrigins;
import dev.kiln.transport.RegistryTransport;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * {@code push} of a local image to a registry with compression and upload overlapped (issue 7):
 * a layer whose compressed blob is not known yet is compressed into the store while the same bytes
 * stream to the registry (POST, one PATCH, PUT with the digest known at the end), several layers
 * at a time; the config and the manifest go last, as their digests need the compressed layers. At most {@code cores} layers compress at once (each compressor uses every
 * core already), the largest first so that the upload left at the end is a small one.
 */
final class RegistryPush {
    private final Store store;
    private final OutgoingLayers outgoing;
    private final Semaphore compressing = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));

    RegistryPush(Store store, Compression compression) {
        this.store = store;
        this.outgoing = new OutgoingLayers(store, compression);
    }

    Digest push(LocalImage image, Reference dest, boolean toDocker, RegistryClient client, BlobOrigins origins) {
        List<Descriptor> layers = image.manifest().layers();
        List<Digest> diffIds = image.config().rootfs().diffIds();
        Map<Digest, Digest> diffIdOf = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) diffIdOf.putIfAbsent(layers.get(i).digest(), diffIds.get(i));
        List<Descriptor> distinct = new ArrayList<>(byDigest(layers).values());
        distinct.sort(Comparator.comparingLong(Descriptor::size).reversed());
        Map<Digest, Descriptor> pushed = new ConcurrentHashMap<>();
        RegistryTransport.inParallel(distinct, layer ->
                pushed.put(layer.digest(), pushLayer(client, dest.repository(), layer, diffIdOf.get(layer.digest()), origins)));
        List<Descriptor> sent = layers.stream().map(l -> pushed.get(l.digest())).toList();
        return RegistryTransport.write(OutgoingLayers.image(store, image, sent, toDocker), dest, client, origins);
    }

    /**
     * Makes the repository hold {@code layer} as pushed. A layer to compress is compressed into the
     * store while the same bytes stream to the registry; if that upload fails in a way a retry may
     * cure, the stored copy is pushed the ordinary way (with its retries).
     */
    private Descriptor pushLayer(RegistryClient client, String repo, Descriptor layer, Digest diffId, BlobOrigins origins)
            throws InterruptedIOException {
        Optional<Descriptor> known = outgoing.known(layer, diffId);
        if (known.isPresent()) {
            pushStored(client, repo, known.get(), origins);
            return known.get();
        }
        Descriptor blob;
        boolean sent;
        acquire(layer);
        try (StreamedUpload upload = client.startUpload(repo, layer.size())) {
            try {
                blob = outgoing.compress(layer, diffId, upload.body());
            } finally {
                compressing.release();
            }
            sent = upload.finish(blob);
        }
        if (sent) {
            origins.record(blob.digest(), client.registry() + "/" + repo);
        } else {
            pushStored(client, repo, blob, origins);
        }
        return blob;
    }

    private void pushStored(RegistryClient client, String repo, Descriptor blob, BlobOrigins origins) {
        RegistryTransport.pushBlob(client, repo, blob, b -> store.blobs().open(b.digest()), origins);
    }

    private void acquire(Descriptor layer) throws InterruptedIOException {
        try {
            compressing.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to compress layer " + layer.digest());
        }
    }

    private static Map<Digest, Descriptor> byDigest(List<Descriptor> layers) {
        Map<Digest, Descriptor> m = new LinkedHashMap<>();
        for (Descriptor l : layers) m.putIfAbsent(l.digest(), l);
        return m;
    }
}

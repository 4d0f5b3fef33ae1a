package dev.kiln;

import dev.kiln.layer.Compression;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Reference;
import dev.kiln.registry.RegistryClient;
import dev.kiln.store.Store;
import dev.kiln.transport.BlobOrigins;
import dev.kiln.transport.RegistryTransport;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * {@code push} of a local image to a registry with compression and upload overlapped (issue 7):
 * each layer is compressed (unless its compressed blob is known) and then pushed at once, several
 * layers at a time, so one layer's upload runs while the next is being compressed; the config and
 * the manifest go last. At most {@code cores} layers compress at once (each compressor uses every
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
        RegistryTransport.inParallel(distinct, layer -> {
            Descriptor blob = compressed(layer, diffIdOf.get(layer.digest()));
            RegistryTransport.pushBlob(client, dest.repository(), blob, b -> store.blobs().open(b.digest()), origins);
            pushed.put(layer.digest(), blob);
        });
        List<Descriptor> sent = layers.stream().map(l -> pushed.get(l.digest())).toList();
        return RegistryTransport.write(OutgoingLayers.image(store, image, sent, toDocker), dest, client, origins);
    }

    private Descriptor compressed(Descriptor layer, Digest diffId) throws InterruptedIOException {
        var known = outgoing.known(layer, diffId);
        if (known.isPresent()) return known.get();
        try {
            compressing.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to compress layer " + layer.digest());
        }
        try {
            return outgoing.compress(layer, diffId);
        } finally {
            compressing.release();
        }
    }

    private static Map<Digest, Descriptor> byDigest(List<Descriptor> layers) {
        Map<Digest, Descriptor> m = new LinkedHashMap<>();
        for (Descriptor l : layers) m.putIfAbsent(l.digest(), l);
        return m;
    }
}

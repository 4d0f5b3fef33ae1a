package dev.kiln.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.oci.Digest;
import dev.kiln.oci.MediaType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Mark and sweep under the index lock and, exclusively, gc.lock (so no process can declare a
 * hold meanwhile; see {@link Lease}). Roots: index.json entries (manifest → config and layers,
 * index → manifests, recursively), containers (their base manifest and base layer blobs), and
 * every hold of every live process. Snapshots are kept if a container's or an image's layer
 * chain needs them; compressed/ entries (and their blobs) while their layer is live and their
 * blob is there. Anything younger than the grace period is spared too (a process from before
 * leases may be publishing it), unless the caller released it. Leftovers of dead processes go at
 * once, other leftovers by age; build-cache entries whose image left index.json go too. Snapshot
 * trees are deleted after the locks are released.
 */
final class GarbageCollector {
    private final Store store;
    private final Set<Digest> liveBlobs = new HashSet<>();
    private final Set<Digest> liveSnapshots = new HashSet<>();
    private final Set<Digest> liveDiffIds = new HashSet<>();
    private final Set<Digest> released;

    /** {@code released}: blobs and snapshot chain IDs just unpublished (rmi), swept whatever their age if unreferenced. */
    GarbageCollector(Store store, Set<Digest> released) {
        this.store = store;
        this.released = Set.copyOf(released);
    }

    GcResult run(Duration grace) {
        Instant cutoff = Instant.now().minus(grace);
        List<Path> detached = new ArrayList<>();
        GcResult result = store.images().locked(() -> {
            try (StoreLock l = StoreLock.acquire(store.root().resolve("gc.lock"))) {
                Lease.Census census = Lease.census(store.root(), store.leaseOrNull());
                markImages();
                markContainers();
                markCompressed();
                markHeld(census);
                long[] bytes = {0};
                int blobs = sweepBlobs(cutoff, bytes);
                int snaps = sweepSnapshots(cutoff, detached);
                int compressed = sweepCompressed(cutoff);
                sweepOrigins();
                int tmp = sweepTmp(cutoff, census);
                int cache = store.cache().prune(); // under the index lock: no image is named or removed meanwhile
                return new GcResult(blobs, snaps, compressed, tmp, bytes[0], cache);
            } catch (IOException e) {
                throw Fs.fail("garbage-collecting store " + store.root(), e);
            }
        });
        deleteDetached(detached);
        return result;
    }

    /**
     * Deletes those of {@code released} (blobs and snapshot chain IDs the caller published and no
     * longer wants) that nothing references and no other process holds; nothing else.
     */
    void discard() {
        List<Path> detached = new ArrayList<>();
        store.images().locked(() -> {
            try (StoreLock l = StoreLock.acquire(store.root().resolve("gc.lock"))) {
                markImages();
                markContainers();
                markHeld(Lease.census(store.root(), store.leaseOrNull()));
                for (Digest d : released) {
                    if (liveBlobs.contains(d) || liveSnapshots.contains(d)) continue;
                    store.blobs().delete(d);
                    if (store.snapshots().has(d)) detached.add(store.snapshots().detach(d));
                }
                return null;
            } catch (IOException e) {
                throw Fs.fail("removing what a failed operation wrote to store " + store.root(), e);
            }
        });
        deleteDetached(detached);
    }

    /**
     * What other leases hold is live. This store's own holds are not: its operations run before or
     * after its own gc, and what it released it no longer needs (one Store used from several
     * threads at once should give gc its own Store, as another process would).
     */
    private void markHeld(Lease.Census census) {
        liveBlobs.addAll(census.heldByOthers());
        liveSnapshots.addAll(census.heldByOthers());
    }

    /** Snapshot trees are moved into tmp/ under the locks and deleted after, so no writer waits for the deletion. */
    private static void deleteDetached(List<Path> detached) {
        for (Path p : detached) {
            if (p == null) continue; // removed meanwhile
            try {
                Fs.deleteTree(p);
            } catch (IOException e) {
                // a leftover in this process's tmp/, deleted when the store is closed or by a later gc
            }
        }
    }

    private void markImages() {
        for (ImageRecord r : Images.records(store.images().read())) mark(r.manifest(), r.mediaType());
    }

    private void markContainers() {
        for (ContainerState c : store.containers().list()) {
            if (c.imageManifest() != null) mark(Digest.parse(c.imageManifest()), null);
            c.baseLayers().forEach(l -> liveBlobs.add(l.blob()));
            c.baseLayers().forEach(l -> liveDiffIds.add(l.diffId()));
            liveSnapshots.addAll(Snapshots.chainIds(c.baseLayers().stream().map(LayerRef::diffId).toList()));
        }
    }

    /** Marks a manifest or index and what it references; a missing or unreadable blob ends the walk there. */
    private void mark(Digest d, String mediaType) {
        if (!liveBlobs.add(d) || !store.blobs().has(d)) return;
        ObjectNode doc;
        try {
            doc = Json.parseObject(store.blobs().read(d), "blob " + d);
        } catch (RuntimeException e) {
            return; // not JSON: a leaf we keep but cannot walk
        }
        String mt = mediaType != null ? mediaType : Json.text(doc, "mediaType");
        if (MediaType.isIndex(mt) || doc.has("manifests")) {
            for (JsonNode m : doc.withArray("manifests")) mark(Digest.parse(Json.text(m, "digest")), Json.text(m, "mediaType"));
        }
        if (doc.has("config") || doc.has("layers")) markManifest(doc);
    }

    private void markManifest(ObjectNode doc) {
        Digest config = doc.path("config").has("digest") ? Digest.parse(doc.path("config").get("digest").asText()) : null;
        if (config != null) liveBlobs.add(config);
        for (JsonNode l : doc.withArray("layers")) liveBlobs.add(Digest.parse(Json.text(l, "digest")));
        if (config == null || !store.blobs().has(config)) return;
        try {
            ObjectNode cfg = Json.parseObject(store.blobs().read(config), "config " + config);
            List<Digest> diffIds = new ArrayList<>();
            for (JsonNode id : cfg.path("rootfs").path("diff_ids")) diffIds.add(Digest.parse(id.asText()));
            liveSnapshots.addAll(Snapshots.chainIds(diffIds));
            liveDiffIds.addAll(diffIds);
        } catch (RuntimeException e) {
            // not an image config (an artifact): no snapshots to keep
        }
    }

    /** A live layer's compressed forms stay, so the next push does not compress it again. */
    private void markCompressed() throws IOException {
        for (Path formatDir : children(store.root().resolve("compressed"))) {
            for (Path p : children(formatDir)) {
                if (Leftovers.isAtomicTmp(p)) continue; // a recordCompressed in progress
                String blob = readOrEmpty(p);
                if (liveDiffIds.contains(diffIdOf(p)) && Digest.isDigest(blob)) liveBlobs.add(Digest.parse(blob));
            }
        }
    }

    /** A compressed/ entry's text; "" if it is gone (replaced or removed meanwhile). */
    private static String readOrEmpty(Path p) throws IOException {
        try {
            return Files.readString(p).strip();
        } catch (java.nio.file.NoSuchFileException e) {
            return "";
        }
    }

    private static Digest diffIdOf(Path compressedEntry) {
        String text = "sha256:" + compressedEntry.getFileName();
        return Digest.isDigest(text) ? Digest.parse(text) : null;
    }

    private int sweepBlobs(Instant cutoff, long[] bytes) throws IOException {
        int n = 0;
        Path dir = store.root().resolve("blobs");
        for (Path algDir : children(dir)) {
            for (Path p : children(algDir)) {
                String text = algDir.getFileName() + ":" + p.getFileName();
                if (!Digest.isDigest(text) || liveBlobs.contains(Digest.parse(text))) continue;
                if (!released.contains(Digest.parse(text)) && young(p, cutoff)) continue;
                bytes[0] += Files.size(p);
                Files.deleteIfExists(p);
                n++;
            }
        }
        return n;
    }

    private int sweepSnapshots(Instant cutoff, List<Path> detached) throws IOException {
        int n = 0;
        for (Digest id : store.snapshots().list()) {
            if (liveSnapshots.contains(id)) continue;
            if (!released.contains(id) && young(store.snapshots().path(id).resolve("meta.json"), cutoff)) continue;
            detached.add(store.snapshots().detach(id));
            n++;
        }
        return n;
    }

    private int sweepCompressed(Instant cutoff) throws IOException {
        int n = 0;
        for (Path formatDir : children(store.root().resolve("compressed"))) {
            for (Path p : children(formatDir)) {
                if (Leftovers.isAtomicTmp(p)) continue; // Leftovers ages it out
                String text = readOrEmpty(p);
                boolean live = liveDiffIds.contains(diffIdOf(p)) && Digest.isDigest(text) && store.blobs().has(Digest.parse(text));
                if (live || young(p, cutoff)) continue;
                Files.deleteIfExists(p);
                n++;
            }
        }
        return n;
    }

    /** origins/ entries of blobs that are gone (after the blob sweep) are bookkeeping of nothing. */
    private void sweepOrigins() throws IOException {
        for (Path algDir : children(store.root().resolve("origins"))) {
            for (Path p : children(algDir)) {
                String text = algDir.getFileName() + ":" + p.getFileName();
                // NAME.tmp-HEX is a recordOrigin in progress (no lock guards origins/): Leftovers ages it out
                if (Leftovers.isAtomicTmp(p)) continue;
                if (!Digest.isDigest(text) || !store.blobs().has(Digest.parse(text))) Files.deleteIfExists(p);
            }
        }
    }

    /** Leftovers ({@link Leftovers}): a dead process's at once, the rest once older than the grace period. */
    private int sweepTmp(Instant cutoff, Lease.Census census) throws IOException {
        int n = 0;
        for (Leftovers.Entry e : Leftovers.list(store.root(), census)) {
            if (e.deadLease() == null && young(e.path(), cutoff)) continue;
            Leftovers.delete(store.root(), e);
            n++;
        }
        return n;
    }

    private static boolean young(Path p, Instant cutoff) throws IOException {
        return Leftovers.young(p, cutoff);
    }

    private static List<Path> children(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (var s = Files.newDirectoryStream(dir)) {
            s.forEach(out::add);
        }
        return out;
    }
}

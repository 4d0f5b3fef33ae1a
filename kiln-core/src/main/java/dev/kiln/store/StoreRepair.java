package dev.kiln.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code fsck --repair}: applies the {@link StoreFix} of every problem a {@link StoreCheck} found,
 * then collects garbage. Only what is broken is removed: an index entry whose image is damaged, a
 * blob whose content does not match its digest (its images are damaged too), a snapshot that
 * cannot be trusted (rebuilt from its blob when possible), a container that cannot work (one that
 * only lacks lower snapshots gets them unpacked again); leftovers older than the grace period.
 * A sound image is never touched: gc removes only what nothing references, and what the removed
 * entries released. Each step says what it did, one line each.
 */
final class StoreRepair {
    private final Store store;
    private final Duration grace;
    private final List<String> done = new ArrayList<>();
    private final Set<Digest> released = new HashSet<>();

    StoreRepair(Store store, Duration grace) {
        this.store = store;
        this.grace = grace;
    }

    List<String> run(StoreCheck check) {
        Set<StoreFix> fixes = new LinkedHashSet<>();
        check.problems().forEach(p -> fixes.add(p.fix()));
        if (fixes.contains(new StoreFix.RebuildIndex())) rebuildIndex();
        if (fixes.contains(new StoreFix.DropMalformedEntries())) {
            done.add("index.json: dropped " + store.images().dropMalformedEntries() + " malformed entries");
        }
        for (StoreFix f : fixes) if (f instanceof StoreFix.DeleteBlob b) deleteBlob(b.blob());
        for (StoreFix f : fixes) if (f instanceof StoreFix.RemoveEntry e) removeEntry(e);
        snapshots(fixes);
        // Broken containers go first: listing containers (restoring lowers, gc) reads every state.json.
        for (StoreFix f : fixes) if (f instanceof StoreFix.RemoveContainer c) removeContainer(c.dirName());
        for (StoreFix f : fixes) if (f instanceof StoreFix.RestoreLowers r) restoreLowers(r.containerId());
        leftovers(fixes);
        GcResult gc = store.gc(grace, released);
        if (gc.blobs() + gc.snapshots() + gc.compressed() + gc.tmpEntries() + gc.cacheEntries() > 0) {
            done.add("gc: removed " + gc.blobs() + " unreferenced blobs (" + gc.blobBytes() + " bytes), "
                    + gc.snapshots() + " snapshots, " + gc.compressed() + " compressed-layer records, "
                    + gc.tmpEntries() + " leftovers, " + gc.cacheEntries() + " build-cache entries of removed images");
        }
        return done;
    }

    private void deleteBlob(Digest d) {
        store.blobs().delete(d);
        done.add("blob " + d + ": deleted (its content did not match its digest)");
    }

    private void removeEntry(StoreFix.RemoveEntry e) {
        releaseImage(e.manifest());
        if (store.images().removeEntry(e.name(), e.manifest())) {
            done.add((e.name() != null ? "image " + e.name() : "unnamed image " + e.manifest()) + ": removed from index.json");
        }
    }

    /** What gc may sweep at once now that the entry is gone: the image's blobs and snapshots, if nothing else uses them. */
    private void releaseImage(Digest manifest) {
        released.add(manifest);
        try {
            Manifest m = Manifest.parse(store.blobs().read(manifest));
            released.add(m.config().digest());
            m.layers().forEach(l -> released.add(l.digest()));
            List<Digest> diffIds = dev.kiln.oci.ImageConfig.parse(store.blobs().read(m.config().digest())).rootfs().diffIds();
            released.addAll(Snapshots.chainIds(diffIds));
        } catch (KilnException unreadable) {
            // what cannot be read is swept by age
        }
    }

    /** Rebuilds parents before children (vfs unpacks a child onto its parent's tree). */
    private void snapshots(Set<StoreFix> fixes) {
        List<Digest> rebuild = new ArrayList<>();
        for (StoreFix f : fixes) {
            if (f instanceof StoreFix.RemoveSnapshot r) {
                store.snapshots().remove(r.chainId());
                done.add("snapshot " + r.chainId() + ": removed");
            } else if (f instanceof StoreFix.RebuildSnapshot r) {
                rebuild.add(r.chainId());
            }
        }
        rebuild.sort(java.util.Comparator.comparingInt(this::depth));
        for (Digest id : rebuild) rebuildSnapshot(id);
    }

    private int depth(Digest id) {
        int n = 0;
        try {
            for (Digest p = store.snapshots().meta(id).parent(); p != null && n < 1000; n++) {
                p = store.snapshots().has(p) ? store.snapshots().meta(p).parent() : null;
            }
        } catch (KilnException e) {
            return n;
        }
        return n;
    }

    private void rebuildSnapshot(Digest id) {
        try {
            store.snapshots().rebuild(id, store.snapshots().meta(id));
            done.add("snapshot " + id + ": unpacked again from its layer");
        } catch (KilnException e) {
            store.snapshots().remove(id);
            done.add("snapshot " + id + ": removed (it could not be unpacked again: " + e.getMessage() + ")");
        }
    }

    private void restoreLowers(String containerId) {
        try {
            ContainerState st = store.containers().get(containerId);
            store.snapshots().ensure(st.baseLayers());
            done.add("container " + st.name() + ": its lower snapshots unpacked again");
        } catch (KilnException e) {
            removeContainer(containerId);
        }
    }

    private void removeContainer(String dirName) {
        store.containers().removeDirectory(dirName);
        done.add("container directory containers/" + dirName + ": removed");
    }

    private void leftovers(Set<StoreFix> fixes) {
        Instant cutoff = Instant.now().minus(grace);
        int deleted = 0, spared = 0;
        for (StoreFix f : fixes) {
            if (!(f instanceof StoreFix.DeleteLeftover l)) continue;
            try {
                if (l.deadLease() == null && Leftovers.young(l.path(), cutoff)) {
                    spared++;
                    continue;
                }
                Leftovers.delete(store.root(), new Leftovers.Entry(l.path(), l.deadLease()));
                deleted++;
            } catch (IOException e) {
                throw Fs.fail("deleting leftover " + l.path(), e);
            }
        }
        if (deleted > 0) done.add("leftovers: deleted " + deleted);
        if (spared > 0) {
            done.add("leftovers: spared " + spared + " younger than " + grace.toMinutes()
                    + " min (their owner cannot be known: a running kiln may be writing them; kiln gc removes them later)");
        }
    }

    /**
     * index.json is unreadable: every manifest or index among the blobs that no other one lists
     * becomes an unnamed entry (names are lost; images are kept). Only blobs small enough to be
     * a manifest are read.
     */
    private void rebuildIndex() {
        List<ImageRecord> found = new ArrayList<>();
        Set<Digest> children = new HashSet<>();
        try {
            for (Path algDir : Leftovers.children(store.root().resolve("blobs"))) {
                for (Path p : Leftovers.children(algDir)) manifestCandidate(algDir, p, found, children);
            }
        } catch (IOException e) {
            throw Fs.fail("listing the blobs of " + store.root(), e);
        }
        List<ImageRecord> tops = found.stream().filter(r -> !children.contains(r.manifest())).toList();
        Path kept = store.images().replaceUnreadable(tops);
        done.add("index.json: was unreadable, kept as " + kept.getFileName() + "; lists " + tops.size()
                + " images found among the blobs, unnamed (tag them again with kiln tag)");
    }

    private void manifestCandidate(Path algDir, Path p, List<ImageRecord> found, Set<Digest> children) throws IOException {
        String text = algDir.getFileName() + ":" + p.getFileName();
        if (!Digest.isDigest(text) || java.nio.file.Files.size(p) > 4 << 20) return;
        Digest d = Digest.parse(text);
        try {
            byte[] bytes = store.blobs().read(d);
            ObjectNode doc = Json.parseObject(bytes, "blob " + d);
            if (doc.path("schemaVersion").asInt() != 2) return;
            String mt = Json.text(doc, "mediaType");
            if (doc.has("manifests")) {
                dev.kiln.oci.Index.parse(bytes).manifests().forEach(m -> children.add(m.digest()));
                found.add(new ImageRecord(null, mt != null ? mt : MediaType.OCI_INDEX, d, bytes.length, java.util.Map.of()));
            } else if (doc.has("config") && doc.has("layers") && complete(Manifest.parse(bytes))) {
                found.add(new ImageRecord(null, mt != null ? mt : MediaType.OCI_MANIFEST, d, bytes.length, java.util.Map.of()));
            }
        } catch (KilnException notAManifest) {
            // a layer or config that happens to be small, or a damaged blob: not an image
        }
    }

    private boolean complete(Manifest m) {
        if (!store.blobs().has(m.config().digest())) return false;
        for (Descriptor l : m.layers()) if (!store.blobs().has(l.digest())) return false;
        return true;
    }
}

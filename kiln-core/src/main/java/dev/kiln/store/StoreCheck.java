package dev.kiln.store;

import dev.kiln.oci.Digest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * {@code fsck}: checks the store and names every problem. In order: blobs/ (with {@code full},
 * every blob re-hashed), index.json and its images, snapshots/ (with {@code full}, each unpacked
 * afresh and compared), containers/, then leftovers. Reads only, apart from the scratch
 * directories {@code full} unpacks into tmp/ and deletes; takes no lock, so other kiln processes
 * go on working (what they publish meanwhile may or may not be seen).
 *
 * @param problems   every finding, damage first in the order found, then leftovers
 * @param full       whether blobs were re-hashed and snapshots compared with their layers
 * @param unverified snapshots {@code full} could not unpack afresh (their blob or vfs parent is gone)
 */
public record StoreCheck(List<StoreProblem> problems, boolean full, int images, int blobs, int snapshots,
                         int unverified, int containers) {
    public StoreCheck {
        problems = List.copyOf(problems);
    }

    /** Whether nothing is damaged (leftovers do not make a store unsound). */
    public boolean sound() {
        return problems.stream().noneMatch(StoreProblem::damaged);
    }

    public List<StoreProblem> damage() {
        return problems.stream().filter(StoreProblem::damaged).toList();
    }

    public List<StoreProblem> leftovers() {
        return problems.stream().filter(p -> !p.damaged()).toList();
    }

    static StoreCheck run(Store store, boolean full) {
        Findings out = new Findings();
        try {
            BlobChecks blobs = new BlobChecks(store, out);
            Set<Digest> corrupt = blobs.run(full);
            int images = new ImageChecks(store, corrupt, out).run();
            SnapshotChecks snapshots = new SnapshotChecks(store, out);
            snapshots.run(full, corrupt);
            ContainerChecks containers = new ContainerChecks(store, corrupt, out);
            containers.run();
            leftovers(store, out);
            if (images > 0 || !store.cache().keys().isEmpty()) {
                try {
                    staleCacheEntries(store, out);
                } catch (RuntimeException unreadableIndex) {
                    // index.json is damaged: that is reported already, and the cache is judged after the repair
                }
            }
            // fsck takes no lock: what another process removed meanwhile (rmi, rm, gc) is not damage
            Set<String> entries = currentEntries(store);
            List<StoreProblem> found = out.all().stream().filter(p -> !p.damaged() || stillThere(store, entries, p.fix())).toList();
            List<StoreProblem> ordered = new java.util.ArrayList<>(found.stream().filter(StoreProblem::damaged).toList());
            ordered.addAll(found.stream().filter(p -> !p.damaged()).toList());
            return new StoreCheck(ordered, full, images, blobs.count(), snapshots.count(), snapshots.unverifiable(),
                    containers.count());
        } catch (IOException e) {
            throw Fs.fail("checking store " + store.root(), e);
        }
    }

    /** index.json's entries now, as "name digest" (null: no name); empty if it cannot be read. */
    private static Set<String> currentEntries(Store store) {
        try {
            Set<String> out = new java.util.HashSet<>();
            store.images().list().forEach(r -> out.add(r.name() + " " + r.manifest()));
            return out;
        } catch (RuntimeException unreadable) {
            return Set.of();
        }
    }

    /** Whether what a damage finding is about is still in the store (or the finding is not about one thing). */
    private static boolean stillThere(Store store, Set<String> entries, StoreFix fix) {
        return switch (fix) {
            case StoreFix.RemoveEntry e -> entries.contains(e.name() + " " + e.manifest());
            case StoreFix.DeleteBlob b -> store.blobs().has(b.blob());
            case StoreFix.RebuildSnapshot r -> Files.isDirectory(store.snapshots().path(r.chainId()));
            case StoreFix.RemoveSnapshot r -> Files.isDirectory(store.snapshots().path(r.chainId()));
            case StoreFix.RemoveContainer c -> Files.isDirectory(store.root().resolve("containers").resolve(c.dirName()));
            case StoreFix.RestoreLowers r -> Files.isDirectory(store.root().resolve("containers").resolve(r.containerId()));
            case StoreFix.RebuildIndex i -> true;
            case StoreFix.DropMalformedEntries d -> true;
            case StoreFix.DeleteLeftover l -> true;
        };
    }

    /** Build-cache entries naming an image that left index.json: a miss for builds, removed by gc. */
    private static void staleCacheEntries(Store store, Findings out) throws IOException {
        java.util.Set<Digest> named = new java.util.HashSet<>();
        store.images().list().forEach(r -> named.add(r.manifest()));
        for (Digest key : store.cache().keys()) {
            Path f = store.root().resolve("cache").resolve(key.hex());
            String manifest;
            try {
                manifest = Json.text(Json.readObject(f), "manifest");
            } catch (java.nio.file.NoSuchFileException gone) {
                continue;
            } catch (IOException | RuntimeException unreadable) {
                manifest = null;
            }
            if (manifest != null && Digest.isDigest(manifest) && named.contains(Digest.parse(manifest))) continue;
            out.leftover("cache/" + key.hex(), manifest == null ? "is not a readable build-cache entry (a miss for builds)"
                    : "names image " + manifest + ", which is no longer in the store (a miss for builds)", new StoreFix.DeleteLeftover(f, null));
        }
    }

    private static void leftovers(Store store, Findings out) throws IOException {
        Instant now = Instant.now();
        for (Leftovers.Entry e : Leftovers.list(store.root(), Lease.census(store.root(), store.leaseOrNull()))) {
            Path p = e.path();
            String rel = store.root().relativize(p).toString();
            StoreFix fix = new StoreFix.DeleteLeftover(p, e.deadLease());
            if (e.deadLease() != null) {
                out.leftover(rel, "left by a kiln process that died (lease " + e.deadLease() + ")", fix);
                continue;
            }
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) continue;
            Duration age = Duration.between(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant(), now);
            String what = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "a directory" : Files.size(p) + " bytes";
            out.leftover(rel, "left by an interrupted kiln, or in use by one from before leases (" + what + ", modified "
                    + ago(age) + " ago)", fix);
        }
    }

    private static String ago(Duration d) {
        if (d.toDays() > 0) return d.toDays() + " d";
        if (d.toHours() > 0) return d.toHours() + " h";
        if (d.toMinutes() > 0) return d.toMinutes() + " min";
        return Math.max(0, d.toSeconds()) + " s";
    }
}

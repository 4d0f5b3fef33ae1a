package dev.kiln.store;

import dev.kiln.oci.Digest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.linux.Linux;
import dev.kiln.oci.KilnException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.List;

/**
 * The local store. Its root is an OCI image layout (oci-layout, index.json, blobs/) that skopeo,
 * umoci and buildah read, plus kiln's own parts: store.json (the driver, fixed at creation),
 * snapshots/, containers/, compressed/, cache/ and tmp/ (on the same filesystem, so every publish
 * is a rename). Opening creates a missing layout file by file, each atomically, store.json last.
 */
public final class Store implements AutoCloseable {
    private final Path root;
    private final SnapshotDriver driver;
    private final Blobs blobs;
    private final Images images;
    private final Snapshots snapshots;
    private final Containers containers;
    private final BuildCache cache;
    private Lease lease; // taken on first need, so read-only commands leave no trace

    private Store(Path root, SnapshotDriver driver) {
        this.root = root;
        this.driver = driver;
        this.blobs = new Blobs(root, this);
        this.images = new Images(root);
        this.snapshots = new Snapshots(root, this, blobs, driver);
        this.containers = new Containers(root, this, snapshots, driver);
        this.cache = new BuildCache(root, images);
    }

    /** Opens the store at {@code root}, creating it if needed; see {@link StoreOptions} for the driver choice. */
    public static Store open(Path root, StoreOptions opts) {
        Path r = root.toAbsolutePath().normalize();
        try {
            createLayout(r);
            return new Store(r, SnapshotDriver.named(driverOf(r, opts == null ? null : opts.driver())));
        } catch (IOException e) {
            throw Fs.fail("opening store " + r, e);
        }
    }

    private static void createLayout(Path r) throws IOException {
        Files.createDirectories(r);
        Fs.writeIfAbsent(r.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        Fs.writeIfAbsent(r.resolve("index.json"), Images.emptyIndex());
        for (String d : List.of("blobs/sha256", "snapshots", "containers", "compressed", "cache", "tmp", "leases")) {
            Files.createDirectories(r.resolve(d));
        }
    }

    /** Reads store.json, or writes it (last, so a store with store.json is complete). */
    private static String driverOf(Path r, String wanted) throws IOException {
        Path meta = r.resolve("store.json");
        if (wanted != null) SnapshotDriver.named(wanted); // reject unknown names before writing anything
        if (!Files.exists(meta)) {
            String chosen = wanted != null ? wanted : (overlayWorks(r.resolve("tmp")) ? "overlay" : "vfs");
            if (chosen.equals("overlay") && wanted != null && !overlayWorks(r.resolve("tmp"))) {
                throw new KilnException("the overlay driver does not work here (no overlay in /proc/filesystems, "
                        + "or a test mount failed: are you root?); use --storage-driver vfs");
            }
            ObjectNode n = Json.object().put("driver", chosen);
            Fs.writeIfAbsent(meta, Json.bytes(n));
        }
        String existing = Json.text(Json.readObject(meta), "driver");
        if (wanted != null && !wanted.equals(existing)) {
            throw new KilnException("store " + r + " uses the " + existing + " driver; open it with that driver"
                    + " (or none), or use another --root for " + wanted);
        }
        return existing;
    }

    /** /proc/filesystems lists overlay and a test mount in {@code tmp} succeeds. */
    static boolean overlayWorks(Path tmp) {
        try {
            if (!Files.readString(Path.of("/proc/filesystems")).contains("\toverlay\n")) return false;
            Path t = Fs.tmpName(tmp, "overlay-check-");
            try {
                for (String d : List.of("lower", "upper", "work", "merged")) Files.createDirectories(t.resolve(d));
                OverlayMount.mount(List.of(t.resolve("lower")), t.resolve("upper"), t.resolve("work"), t.resolve("merged"));
                Linux.umount(t.resolve("merged"), 0);
                return true;
            } finally {
                Fs.deleteTree(t);
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public Path root() {
        return root;
    }

    public Blobs blobs() {
        return blobs;
    }

    public Images images() {
        return images;
    }

    public Snapshots snapshots() {
        return snapshots;
    }

    public BuildCache cache() {
        return cache;
    }

    public Containers containers() {
        return containers;
    }

    public SnapshotDriver driver() {
        return driver;
    }

    /**
     * This open store's own scratch directory, {@code tmp/ID/} of its {@link Lease}: on the
     * store's filesystem (every publish is a rename), deleted when the store is closed, and by gc
     * at once if the process dies.
     */
    public Path tmpDir() {
        return lease().tmpDir();
    }

    synchronized Lease lease() {
        if (lease == null) {
            try {
                lease = Lease.take(root);
            } catch (IOException e) {
                throw Fs.fail("registering with store " + root + " (leases/)", e);
            }
        }
        return lease;
    }

    /** The lease if one was taken, else null. */
    synchronized Lease leaseOrNull() {
        return lease;
    }

    /**
     * Declares that this process uses {@code digests} (blobs, snapshot chain IDs): gc in any
     * process spares them while this store is open. Call before looking for or publishing them.
     */
    void hold(java.util.Collection<Digest> digests) {
        try {
            lease().hold(digests);
        } catch (IOException e) {
            throw Fs.fail("recording what this process uses in " + root.resolve("leases"), e);
        }
    }

    /**
     * Deletes those of {@code published} (blobs or snapshot chain IDs this process published
     * and no longer wants: a failed commit or pull) that nothing references and no other process
     * holds, so a failure leaves the store as it was.
     */
    public void discard(java.util.Collection<Digest> published) {
        new GarbageCollector(this, Set.copyOf(published)).discard();
    }

    /**
     * Removes what nothing references (see {@link GarbageCollector}), sparing anything touched in
     * the last 10 minutes, which an ingest or commit still publishing may be about to name.
     */
    public GcResult gc() {
        return gc(Duration.ofMinutes(10));
    }

    /** {@link #gc()} with a chosen grace period ({@link Duration#ZERO}: remove all that is unreferenced now). */
    public GcResult gc(Duration grace) {
        return new GarbageCollector(this, Set.of()).run(grace);
    }

    /**
     * {@link #gc()}, and also removes {@code released} blobs and snapshots (by digest or chain ID)
     * whatever their age, if nothing references them: what {@code rmi} just unpublished is known
     * not to be an ingest in progress.
     */
    public GcResult gc(Duration grace, Set<Digest> released) {
        return new GarbageCollector(this, released).run(grace);
    }

    /**
     * Checks the store and names every problem (see {@link StoreCheck}); {@code full} re-hashes
     * every blob and unpacks every snapshot afresh to compare it with its layer.
     */
    public StoreCheck check(boolean full) {
        return StoreCheck.run(this, full);
    }

    /**
     * Fixes what {@code check} found (see {@link StoreRepair}): removes what is broken and, as
     * {@link #gc()}, what nothing references; sound images are never touched. Returns one line
     * per action. Run {@link #check} again to see the result.
     */
    public List<String> repair(StoreCheck check) {
        return new StoreRepair(this, Duration.ofMinutes(10)).run(check);
    }

    /** Ends this store's lease (its holds and scratch directory); every operation takes and frees its own locks. */
    @Override
    public synchronized void close() {
        if (lease == null) return;
        try {
            lease.close();
        } catch (IOException e) {
            throw Fs.fail("closing store " + root, e);
        } finally {
            lease = null;
        }
    }
}

package dev.kiln.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layer.Decompressor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.NotFoundException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Unpacked layers, one directory per chain ID (image-spec config.md, "Layer ChainID"):
 * {@code snapshots/<chainIdHex>/fs/} and {@code meta.json} ({diffId, blob, parent, driver}).
 * What fs/ holds depends on the driver: the layer alone (overlay) or the whole tree up to it (vfs).
 *
 * <p>Lifecycle: a missing snapshot is built in tmp/ (blob read verified, decompressed stream
 * hashed and checked against the diffID), then renamed into place; a crash leaves no half
 * snapshot. Two processes building the same one: the first rename wins, the other copy is
 * discarded. Snapshots are immutable once in place; gc removes those nothing needs.
 */
public final class Snapshots {
    private final Path dir;
    private final Store store;
    private final Blobs blobs;
    private final SnapshotDriver driver;

    Snapshots(Path root, Store store, Blobs blobs, SnapshotDriver driver) {
        this.dir = root.resolve("snapshots");
        this.store = store;
        this.blobs = blobs;
        this.driver = driver;
    }

    /** ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256("ChainID(Ln-1) DiffID(Ln)"). */
    public static List<Digest> chainIds(List<Digest> diffIds) {
        List<Digest> out = new ArrayList<>(diffIds.size());
        Digest prev = null;
        for (Digest d : diffIds) {
            prev = prev == null ? d : Digest.sha256((prev + " " + d).getBytes(StandardCharsets.UTF_8));
            out.add(prev);
        }
        return out;
    }

    /** The directory of the snapshot {@code chainId} (it may not exist). */
    public Path path(Digest chainId) {
        return dir.resolve(chainId.hex());
    }

    public boolean has(Digest chainId) {
        return Files.isRegularFile(path(chainId).resolve("meta.json"));
    }

    /**
     * Makes sure the snapshot of every prefix of {@code layers} exists, building the missing ones
     * from their blobs, and returns the top snapshot's fs/ directory (for no layers: null).
     */
    public Path ensure(List<LayerRef> layers) {
        List<Digest> chain = chainIds(layers.stream().map(LayerRef::diffId).toList());
        List<Digest> held = new ArrayList<>(chain);
        layers.forEach(l -> held.add(l.blob()));
        store.hold(held); // before looking: gc must not remove what we are about to use
        Path parentFs = null;
        for (int i = 0; i < layers.size(); i++) {
            Digest id = chain.get(i);
            if (!has(id)) build(id, i == 0 ? null : chain.get(i - 1), parentFs, layers.get(i));
            parentFs = path(id).resolve("fs");
        }
        return parentFs;
    }

    /** Whether each layer's snapshot can be built without its parent's (see {@link SnapshotDriver#layersStandAlone}). */
    public boolean layersStandAlone() {
        return driver.layersStandAlone();
    }

    /**
     * Builds the snapshot of the top of {@code layers} if it is missing, without its lower ones,
     * which only a driver whose {@link #layersStandAlone} allows (a pull unpacks each layer as its
     * blob arrives, several at once). Returns its chain ID when this call published it, null when
     * it was there already (or another process published it first).
     */
    public Digest ensureTop(List<LayerRef> layers) {
        if (!driver.layersStandAlone()) throw new IllegalStateException(driver.name() + " snapshots need their parent");
        List<Digest> chain = chainIds(layers.stream().map(LayerRef::diffId).toList());
        Digest id = chain.getLast();
        store.hold(List.of(id, layers.getLast().blob())); // before looking, as ensure does
        if (has(id)) return null;
        return build(id, chain.size() > 1 ? chain.get(chain.size() - 2) : null, null, layers.getLast()) ? id : null;
    }

    /** Fills a new snapshot's fs/ directory. */
    @FunctionalInterface
    public interface Fill {
        void into(Path fs) throws IOException;
    }

    /**
     * Publishes the snapshot of the top of {@code layers} (whose lower prefixes exist) from
     * {@code fill} instead of unpacking its blob: the build's fast path, where the container that
     * the layer was just committed from already holds it. Nothing happens if it exists already.
     */
    public void adopt(List<LayerRef> layers, Fill fill) {
        List<Digest> chain = chainIds(layers.stream().map(LayerRef::diffId).toList());
        Digest id = chain.getLast();
        store.hold(List.of(id)); // before looking, as ensure does
        if (has(id)) return;
        Path work = Fs.tmpName(store.tmpDir(), "snapshot-");
        try {
            Files.createDirectories(work);
            fill.into(work.resolve("fs"));
            Json.writeAtomically(work.resolve("meta.json"), meta(layers.getLast(), chain.size() > 1 ? chain.get(chain.size() - 2) : null));
            Files.createDirectories(dir);
            Fs.renameDir(work, path(id)); // false: another process won; ours is deleted below
        } catch (IOException e) {
            throw Fs.fail("making snapshot " + id + " from a container", e);
        } finally {
            deleteQuietly(work);
        }
    }

    /** The fs/ directories of the snapshots of {@code layers}, top first (overlay's lowerdir order). */
    public List<Path> lowerDirs(List<LayerRef> layers) {
        List<Path> out = new ArrayList<>();
        for (Digest id : chainIds(layers.stream().map(LayerRef::diffId).toList())) out.addFirst(path(id).resolve("fs"));
        return out;
    }

    /** Deletes the snapshot (renamed into tmp/ first, so no half snapshot is ever visible). */
    public void remove(Digest chainId) {
        Path doomed = detach(chainId);
        if (doomed == null) return;
        try {
            Fs.deleteTree(doomed);
        } catch (IOException e) {
            throw Fs.fail("removing snapshot " + chainId, e);
        }
    }

    /** Renames the snapshot into this process's tmp/ and returns where it went (null: absent); the caller deletes it. */
    Path detach(Digest chainId) {
        Path p = path(chainId);
        if (!Files.exists(p)) return null;
        Path doomed = Fs.tmpName(store.tmpDir(), "rm-snapshot-");
        try {
            Files.move(p, doomed, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return doomed;
        } catch (IOException e) {
            throw Fs.fail("removing snapshot " + chainId, e);
        }
    }

    /** Chain IDs of every snapshot present. */
    public List<Digest> list() {
        List<Digest> out = new ArrayList<>();
        try (var s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String hex = p.getFileName().toString();
                if (Digest.isDigest("sha256:" + hex)) out.add(new Digest("sha256", hex));
            }
        } catch (IOException e) {
            throw Fs.fail("listing " + dir, e);
        }
        return out;
    }

    /** Returns whether this call published it (false: another process did first). */
    private boolean build(Digest chainId, Digest parent, Path parentFs, LayerRef layer) {
        Path work = unpackAside(chainId, parent, parentFs, layer);
        try {
            Files.createDirectories(dir);
            return Fs.renameDir(work, path(chainId)); // false: another process won; ours is deleted below
        } catch (IOException e) {
            throw Fs.fail("publishing snapshot " + chainId, e);
        } finally {
            deleteQuietly(work);
        }
    }

    /**
     * Unpacks {@code layer} on top of {@code parentFs} into a new directory in tmp/ (fs/ and
     * meta.json, the blob and the diffID verified) and returns that directory; the caller renames
     * or deletes it.
     */
    Path unpackAside(Digest chainId, Digest parent, Path parentFs, LayerRef layer) {
        if (!blobs.has(layer.blob())) {
            throw new NotFoundException("layer blob " + layer.blob() + " (diffID " + layer.diffId()
                    + ") is not in the store: pull the image again");
        }
        Path work = Fs.tmpName(store.tmpDir(), "snapshot-");
        try {
            Files.createDirectories(work.resolve("fs"));
            unpack(layer, work.resolve("fs"), parentFs);
            Json.writeAtomically(work.resolve("meta.json"), meta(layer, parent));
            return work;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(work);
            if (e instanceof RuntimeException r) throw r;
            throw Fs.fail("unpacking layer " + layer.blob() + " into snapshot " + chainId, (IOException) e);
        }
    }

    /** What meta.json of snapshot {@code chainId} records; InvalidInputException if it is unreadable. */
    SnapshotMeta meta(Digest chainId) {
        Path file = path(chainId).resolve("meta.json");
        try {
            ObjectNode m = Json.readObject(file);
            String parent = Json.text(m, "parent");
            return new SnapshotMeta(Digest.parse(Json.text(m, "diffId")), Digest.parse(Json.text(m, "blob")),
                    parent == null ? null : Digest.parse(parent));
        } catch (IOException e) {
            throw new InvalidInputException(file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** A snapshot's meta.json: the layer it unpacks and the snapshot below it (null for a first layer). */
    record SnapshotMeta(Digest diffId, Digest blob, Digest parent) {}

    /**
     * Replaces snapshot {@code chainId} by a fresh unpack of its layer (fsck --repair of a snapshot
     * whose files changed). The parent, if any, must be present for vfs.
     */
    void rebuild(Digest chainId, SnapshotMeta m) {
        Path parentFs = m.parent() == null ? null : path(m.parent()).resolve("fs");
        Path work = unpackAside(chainId, m.parent(), parentFs, new LayerRef(m.diffId(), m.blob()));
        try {
            remove(chainId);
            Fs.renameDir(work, path(chainId));
        } catch (IOException e) {
            throw Fs.fail("rebuilding snapshot " + chainId, e);
        } finally {
            deleteQuietly(work);
        }
    }

    private void unpack(LayerRef layer, Path fs, Path parentFs) throws IOException {
        MessageDigest hasher = layer.diffId().newHasher();
        try (InputStream raw = blobs.open(layer.blob());
             InputStream tar = new DigestInputStream(Decompressor.decompressing(raw), hasher)) {
            driver.buildSnapshot(fs, parentFs, tar);
            tar.transferTo(java.io.OutputStream.nullOutputStream()); // the tar's trailing blocks count in the diffID
            raw.transferTo(java.io.OutputStream.nullOutputStream()); // read to EOF so the blob's digest is checked
        }
        Digest got = new Digest(layer.diffId().algorithm(), java.util.HexFormat.of().formatHex(hasher.digest()));
        if (!got.equals(layer.diffId())) {
            throw new InvalidInputException("layer " + layer.blob() + " does not match its diffID: expected "
                    + layer.diffId() + " got " + got);
        }
    }

    private ObjectNode meta(LayerRef layer, Digest parent) {
        ObjectNode m = Json.object();
        m.put("diffId", layer.diffId().toString());
        m.put("blob", layer.blob().toString());
        if (parent != null) m.put("parent", parent.toString());
        else m.putNull("parent");
        m.put("driver", driver.name());
        return m;
    }

    private static void deleteQuietly(Path p) {
        try {
            Fs.deleteTree(p);
        } catch (IOException ignored) {
            // a leftover in tmp/ is gc's to remove
        }
    }
}

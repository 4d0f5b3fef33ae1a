package dev.kiln.store;

import dev.kiln.layer.Change;
import dev.kiln.layer.LayerOptions;
import dev.kiln.oci.InvalidInputException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * How layers are unpacked and how a working container's filesystem is made. Two drivers:
 * {@link OverlayDriver} keeps each snapshot as one layer alone (overlay form) and stacks them
 * with a kernel overlay mount; {@link VfsDriver} keeps each snapshot as the full tree of all its
 * layers and gives each container a full copy. Both pass {@code SnapshotDriverContract}.
 *
 * <p>Lifecycle of a container's filesystem: {@link #create} (once; lowers are snapshot fs
 * directories) → {@link #mount} / {@link #unmount} (any number of times; idempotent) →
 * {@link #changes} / {@link #writeDiff} (mounted or not) → {@link #remove}.
 */
public sealed interface SnapshotDriver permits OverlayDriver, VfsDriver {
    String name();

    /**
     * Fills the empty directory {@code fs} with the snapshot of one more layer ({@code tar},
     * uncompressed) on top of {@code parentFs} (null for a first layer). Called in tmp/; the
     * caller renames the result into place.
     */
    void buildSnapshot(Path fs, Path parentFs, InputStream tar) throws IOException;

    /**
     * Whether a snapshot holds its layer alone, so {@link #buildSnapshot} ignores {@code parentFs}
     * and the layers of an image may be unpacked in any order, at once (overlay: yes; vfs: no).
     */
    boolean layersStandAlone();

    /**
     * Sets up {@code containerDir} (existing, empty) on top of the snapshots {@code lowerDirsTopFirst}
     * (empty: scratch). {@code publishedAt} is where the directory will be renamed to: links to the
     * lowers are relative to it (so the store may move), not to where it is built.
     */
    void create(Path containerDir, Path publishedAt, List<Path> lowerDirsTopFirst) throws IOException;

    /** Makes the container's root filesystem available (idempotent) and returns it. */
    Path mount(Path containerDir) throws IOException;

    /** Releases what {@link #mount} set up; not mounted is fine. */
    void unmount(Path containerDir) throws IOException;

    /** What the container changed relative to its base, sorted by path. */
    List<Change> changes(Path containerDir) throws IOException;

    /** The container's changes as an uncompressed OCI layer tar ({@code out} is not closed). */
    void writeDiff(Path containerDir, OutputStream out, LayerOptions opts) throws IOException;

    /**
     * Forgets the container directories {@code dirs} ("/etc", ...) where the only change is that
     * a file was created in them and removed again (a runtime's mount point), so they stay out
     * of the next layer. Must be called unmounted: overlayfs forbids touching its upper while
     * mounted. Directories with real changes are kept. vfs has nothing to do.
     */
    void dropBareCopyUps(Path containerDir, List<String> dirs) throws IOException;

    /**
     * Fills {@code snapshotFs} (a new empty directory in tmp/) with the snapshot of the layer just
     * committed from this container's changes, without unpacking that layer: overlay moves the
     * upper directory there (it is already in overlay form) and leaves an empty upper; vfs copies
     * the rootfs (its snapshots are full trees). Must be called unmounted.
     */
    void takeSnapshot(Path containerDir, Path snapshotFs) throws IOException;

    /**
     * The container's changes are now in the snapshot on top of {@code lowersTopFirst}: forget
     * what is left of them and continue on those lowers with no changes of its own. Must be
     * called unmounted.
     */
    void rebase(Path containerDir, List<Path> lowersTopFirst) throws IOException;

    /** Unmounts and deletes everything in {@code containerDir}, then the directory itself. */
    void remove(Path containerDir) throws IOException;

    /** The driver called {@code name}: "overlay" or "vfs". */
    static SnapshotDriver named(String name) {
        return switch (name) {
            case "overlay" -> new OverlayDriver();
            case "vfs" -> new VfsDriver();
            default -> throw new InvalidInputException("unknown storage driver '" + name + "' (kiln has overlay and vfs)");
        };
    }
}

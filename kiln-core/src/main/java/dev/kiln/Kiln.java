package dev.kiln;

import dev.kiln.oci.Digest;
import java.nio.file.Path;
import java.util.List;

/**
 * kiln as a library: one object per store. Every CLI verb is one call here.
 *
 * <pre>{@code
 * try (Kiln kiln = Kiln.open(Path.of("/var/lib/kiln"))) {
 *     WorkingContainer ctr = kiln.from("scratch", null);
 *     ctr.add(List.of("rootfs.tar"), "/", CopyOptions.add());
 *     ctr.config(ConfigChange.none().withCmd("[\"/bin/sh\"]"));
 *     CommitResult image = ctr.commit("app", CommitOptions.defaults());
 * }
 * }</pre>
 *
 * Errors a user can act on are {@link dev.kiln.oci.KilnException}s (not found, invalid input,
 * conflict) whose message names what and where; they leave the store as it was.
 */
public final class Kiln implements AutoCloseable {
    /** /var/lib/kiln for root, else $XDG_DATA_HOME/kiln (~/.local/share/kiln). */
    public static Path defaultRoot() {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    public static Kiln open(Path root) {
        return open(new KilnOptions(root, null));
    }

    public static Kiln open(KilnOptions options) {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    public Path root() {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /** "overlay" or "vfs". */
    public String storageDriver() {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /**
     * A new working container from {@code image} ("scratch", a name, or an image id or unique id
     * prefix). {@code name} null gives buildah's default, {@code IMAGE-working-container}
     * (with -1, -2 ... when taken).
     */
    public WorkingContainer from(String image, String name) {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /** An existing working container by name, id or unique id prefix. */
    public WorkingContainer container(String nameOrId) {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    public List<ContainerInfo> containers() {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /** Removes a working container (unmounting it first); returns its id. */
    public String removeContainer(String nameOrId) {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /** Removes every working container; returns their ids. */
    public List<String> removeAllContainers() {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    public List<ImageInfo> images() {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /** An image by name (short names like "app" or "app:1" are looked up as localhost/app:latest ...), id, or id prefix. */
    public ImageInfo image(String nameOrId) {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /** Adds {@code newName} (normalised, e.g. "app" → "localhost/app:latest") to an image; returns the full name. */
    public String tag(String image, String newName) {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /**
     * Removes an image given by name or id. By name: removes that name, and the image when it was
     * the last. By id: removes the image and all its names. Refused when a working container
     * uses it, unless {@code force} (which removes those containers too). Returns lines to print:
     * "untagged: NAME" and the removed image ids.
     */
    public List<String> removeImage(String nameOrId, boolean force) {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /** Removes every image (and with {@code force}, every container); returns the removed image ids. */
    public List<String> removeAllImages(boolean force) {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /** What changed between an image and its parent (other null) or between two images. */
    public List<FileChange> diff(String image, String other) {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /** The image's manifest, config and names as pretty JSON. */
    public String inspectImage(String image) {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /**
     * Copies an image to a destination: {@code oci:DIR[:TAG]}, {@code oci-archive:FILE[:TAG]},
     * {@code docker-archive:FILE[:NAME[:TAG]]}. Returns the manifest digest written.
     */
    public Digest push(String image, String destination, PushOptions options) {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /** Copies an image from {@code oci:}, {@code oci-archive:} or {@code docker-archive:} into the store. */
    public ImageInfo pull(String source) {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /** Removes unreferenced blobs, snapshots and leftovers; returns a one-line summary. */
    public String gc() {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("TODO(facade)");
    }
}

package dev.kiln;

import dev.kiln.layer.Change;
import dev.kiln.layer.Changes;
import dev.kiln.linux.Linux;
import dev.kiln.oci.KilnException;
import dev.kiln.store.LayerRef;
import dev.kiln.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code diff IMAGE [IMAGE]}: an image's top layer against its parent, or one image's tree against another's. */
final class ImageDiff {
    private final Store store;

    ImageDiff(Kiln kiln) {
        this.store = kiln.store();
    }

    List<FileChange> diff(LocalImage image, LocalImage other) {
        try {
            return WorkingContainer.toFileChanges(other == null ? topLayer(image) : between(other, image));
        } catch (IOException e) {
            throw new KilnException("comparing images: " + e.getMessage(), e);
        }
    }

    private List<Change> topLayer(LocalImage image) throws IOException {
        List<LayerRef> layers = image.layers();
        if (layers.isEmpty()) return List.of();
        List<LayerRef> parent = layers.subList(0, layers.size() - 1);
        Path top = store.snapshots().ensure(layers);
        if (store.driver().name().equals("overlay")) {
            store.snapshots().ensure(parent);
            return Changes.ofOverlayUpper(top, parent.isEmpty() ? List.of() : store.snapshots().lowerDirs(parent));
        }
        Path below = parent.isEmpty() ? null : store.snapshots().ensure(parent);
        return withEmptyIfNull(below, b -> Changes.compare(b, top));
    }

    /** Changes from {@code base}'s tree to {@code image}'s. */
    private List<Change> between(LocalImage base, LocalImage image) throws IOException {
        return withTree(base, b -> withTree(image, i -> Changes.compare(b, i)));
    }

    @FunctionalInterface
    private interface TreeWork<T> {
        T apply(Path tree) throws IOException;
    }

    private <T> T withEmptyIfNull(Path tree, TreeWork<T> work) throws IOException {
        if (tree != null) return work.apply(tree);
        Path empty = Files.createTempDirectory(store.tmpDir(), "empty-");
        try {
            return work.apply(empty);
        } finally {
            Files.deleteIfExists(empty);
        }
    }

    /** Runs {@code work} on the image's whole tree: vfs keeps it as a snapshot; overlay mounts the layers read-only. */
    private <T> T withTree(LocalImage image, TreeWork<T> work) throws IOException {
        List<LayerRef> layers = image.layers();
        if (layers.isEmpty()) return withEmptyIfNull(null, work);
        Path top = store.snapshots().ensure(layers);
        if (!store.driver().name().equals("overlay") || layers.size() == 1) return work.apply(top);
        List<Path> lowers = store.snapshots().lowerDirs(layers);
        Path mnt = Files.createTempDirectory(store.tmpDir(), "diff-");
        StringBuilder opts = new StringBuilder("lowerdir=");
        for (int i = 0; i < lowers.size(); i++) opts.append(i == 0 ? "" : ":").append(lowers.get(i));
        Linux.mount("overlay", mnt, "overlay", Linux.MS_RDONLY, opts.toString());
        try {
            return work.apply(mnt);
        } finally {
            Linux.umount(mnt, Linux.MNT_DETACH);
            Files.deleteIfExists(mnt);
        }
    }
}

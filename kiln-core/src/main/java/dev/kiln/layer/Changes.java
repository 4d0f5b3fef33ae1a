package dev.kiln.layer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Lists what changed, sorted by path, as {@code podman diff} does. */
public final class Changes {
    private Changes() {}

    /**
     * The changes an overlay upper directory holds relative to its lower layers ({@code lowers},
     * topmost first, each in overlay form): a path absent below is ADDED, present below CHANGED,
     * an overlay whiteout DELETED. A directory only copied up (same mode, owner, xattrs) is not
     * listed: its new children are.
     */
    public static List<Change> ofOverlayUpper(Path upper, List<Path> lowers) throws IOException {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }

    /**
     * The changes from {@code lowerRoot} to {@code upperRoot}, two full trees: by metadata (type,
     * mode, owner, size, mtime, link target, xattrs), then by content where metadata is equal.
     * Directories are listed as CHANGED only when their own mode, owner or xattrs changed.
     */
    public static List<Change> compare(Path lowerRoot, Path upperRoot) throws IOException {
        throw new UnsupportedOperationException("TODO(layer helper)");
    }
}

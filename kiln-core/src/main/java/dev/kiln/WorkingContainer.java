package dev.kiln;

import java.nio.file.Path;
import java.util.List;

/**
 * A working container: a base image plus a writable layer, kept between processes (its state is
 * a file in the store), so {@code from}, {@code add}, {@code mount} and {@code commit} can be
 * separate commands. Obtained from {@link Kiln#from} or {@link Kiln#container}.
 */
public final class WorkingContainer {
    public String id() {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    public String name() {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /**
     * Copies files, directories and globs into the container at {@code dest} (relative to the
     * working directory when not absolute). With {@code options.extract()}, local archives are
     * extracted instead of copied. A missing source fails before anything is copied.
     */
    public void add(List<String> sources, String dest, CopyOptions options) {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /** Applies config edits; they go into the next commit. */
    public void config(ConfigChange change) {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /** Mounts the container's root filesystem and returns its path; it stays mounted until {@link #unmount}. */
    public Path mount() {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    public void unmount() {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /** Changes since {@code from}, sorted by path. */
    public List<FileChange> diff() {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /**
     * Commits the base layers plus one layer of every change since {@code from} (or, with
     * squash, one layer of the whole tree) as an image, named {@code name} (null: unnamed). The
     * container stays as it is unless {@code options.remove()}.
     */
    public CommitResult commit(String name, CommitOptions options) {
        throw new UnsupportedOperationException("TODO(facade)");
    }

    /** The container's state as pretty JSON (name, id, base image, config, mount point). */
    public String inspect() {
        throw new UnsupportedOperationException("TODO(facade)");
    }
}

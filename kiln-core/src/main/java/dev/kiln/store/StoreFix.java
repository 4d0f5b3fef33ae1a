package dev.kiln.store;

import dev.kiln.oci.Digest;

import java.nio.file.Path;

/** What {@code fsck --repair} does about one {@link StoreProblem}; see {@link StoreRepair}. */
public sealed interface StoreFix {
    /** index.json is unreadable: keep it aside and list every complete image found among the blobs, unnamed. */
    record RebuildIndex() implements StoreFix {}

    /** index.json has entries without a well-formed digest: drop them. */
    record DropMalformedEntries() implements StoreFix {}

    /** An image is damaged: remove its index entry ({@code name} null: the unnamed entry of {@code manifest}). */
    record RemoveEntry(String name, Digest manifest) implements StoreFix {}

    /** A blob's content does not match its digest: delete it (images using it are removed too). */
    record DeleteBlob(Digest blob) implements StoreFix {}

    /** A snapshot's files differ from its layer, or fs/ is gone: unpack it again from its blob. */
    record RebuildSnapshot(Digest chainId) implements StoreFix {}

    /** A snapshot cannot be trusted nor rebuilt (meta.json unreadable, wrong name): remove it. */
    record RemoveSnapshot(Digest chainId) implements StoreFix {}

    /** A working container is broken beyond its lowers (state, base image or its own directories): remove it. */
    record RemoveContainer(String dirName) implements StoreFix {}

    /** A working container's lower snapshots are missing but its base layer blobs are there: unpack them again. */
    record RestoreLowers(String containerId) implements StoreFix {}

    /**
     * A leftover: delete it, at once if it belongs to the lease {@code deadLease} of a process that
     * died, else once it is older than gc's grace period.
     */
    record DeleteLeftover(Path path, String deadLease) implements StoreFix {}
}

package dev.kiln.store;

import dev.kiln.layer.TreeComparison;
import dev.kiln.oci.Digest;
import dev.kiln.oci.KilnException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * fsck of snapshots/: each directory is named by the chain ID its meta.json implies (diffID on
 * parent) and has fs/. With {@code full}, its layer is unpacked afresh into tmp/ (the blob read
 * and verified, the tar hashed against the diffID) and the two trees are compared file by file
 * ({@link TreeComparison}); a snapshot whose files changed is damaged. A snapshot whose blob is
 * gone or corrupt cannot be verified (its images are damaged already); on vfs neither can one
 * whose parent snapshot is gone, since its tree includes the parent's.
 */
final class SnapshotChecks {
    private static final int MAX_DIFFERENCES = 5;

    private final Store store;
    private final Findings out;
    private int count;
    private int unverifiable;

    SnapshotChecks(Store store, Findings out) {
        this.store = store;
        this.out = out;
    }

    void run(boolean full, Set<Digest> corruptBlobs) throws IOException {
        for (Path p : Leftovers.children(store.root().resolve("snapshots"))) {
            String name = p.getFileName().toString();
            if (!name.matches("[0-9a-f]{64}")) {
                out.leftover("snapshots/" + name, "is not a snapshot (not named by a chain ID)", new StoreFix.DeleteLeftover(p, null));
                continue;
            }
            count++;
            check(new Digest("sha256", name), full, corruptBlobs);
        }
    }

    int count() {
        return count;
    }

    /** Snapshots {@code full} could not unpack afresh (blob or vfs parent gone). */
    int unverifiable() {
        return unverifiable;
    }

    private void check(Digest id, boolean full, Set<Digest> corruptBlobs) throws IOException {
        String subject = "snapshot " + id;
        Snapshots.SnapshotMeta m;
        try {
            m = store.snapshots().meta(id);
        } catch (KilnException e) {
            out.damaged(subject, e.getMessage(), new StoreFix.RemoveSnapshot(id));
            return;
        }
        Digest implied = m.parent() == null ? m.diffId()
                : Digest.sha256((m.parent() + " " + m.diffId()).getBytes(StandardCharsets.UTF_8));
        if (!implied.equals(id)) {
            out.damaged(subject, "meta.json records diffID " + m.diffId() + " on parent " + m.parent()
                    + ", whose chain ID is " + implied + ", not this snapshot's name", new StoreFix.RemoveSnapshot(id));
            return;
        }
        Path fs = store.snapshots().path(id).resolve("fs");
        if (!Files.isDirectory(fs)) {
            out.damaged(subject, "fs/ is missing", new StoreFix.RebuildSnapshot(id));
            return;
        }
        if (full) verifyFiles(id, m, fs, corruptBlobs);
    }

    private void verifyFiles(Digest id, Snapshots.SnapshotMeta m, Path fs, Set<Digest> corruptBlobs) throws IOException {
        boolean needsParent = store.driver() instanceof VfsDriver && m.parent() != null;
        if (!store.blobs().has(m.blob()) || corruptBlobs.contains(m.blob()) || needsParent && !store.snapshots().has(m.parent())) {
            unverifiable++;
            return;
        }
        Path parentFs = needsParent ? store.snapshots().path(m.parent()).resolve("fs") : null;
        Path aside;
        try {
            aside = store.snapshots().unpackAside(id, m.parent(), parentFs, new LayerRef(m.diffId(), m.blob()));
        } catch (KilnException e) {
            out.damaged("snapshot " + id, "its layer " + m.blob() + " does not unpack: " + e.getMessage(), new StoreFix.RemoveSnapshot(id));
            return;
        }
        try {
            List<String> diffs = TreeComparison.differences(aside.resolve("fs"), fs, MAX_DIFFERENCES);
            if (!diffs.isEmpty()) {
                out.damaged("snapshot " + id, "its files differ from its layer " + m.blob() + ": " + String.join(", ", diffs)
                        + (diffs.size() == MAX_DIFFERENCES ? ", …" : ""), new StoreFix.RebuildSnapshot(id));
            }
        } finally {
            Fs.deleteTree(aside);
        }
    }
}

package dev.kiln.store;

import dev.kiln.oci.Digest;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * fsck of containers/: each working container's state.json is readable and names its own
 * directory; its base image's manifest and layer blobs are there (a commit references them);
 * the snapshots under it are there (a mount needs them); its own directories are there (upper/
 * and work/ on overlay, rootfs/ on vfs) with a readable lowers.json.
 */
final class ContainerChecks {
    private final Store store;
    private final Set<Digest> corruptBlobs;
    private final Findings out;
    private int count;

    ContainerChecks(Store store, Set<Digest> corruptBlobs, Findings out) {
        this.store = store;
        this.corruptBlobs = corruptBlobs;
        this.out = out;
    }

    void run() throws IOException {
        for (Path dir : Leftovers.children(store.root().resolve("containers"))) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) continue; // containers.lock's siblings: none expected
            count++;
            check(dir);
        }
    }

    int count() {
        return count;
    }

    private void check(Path dir) {
        String dirName = dir.getFileName().toString();
        StoreFix remove = new StoreFix.RemoveContainer(dirName);
        ContainerState st;
        try {
            st = ContainerState.fromJson(Json.readObject(dir.resolve("state.json")));
        } catch (IOException | RuntimeException e) { // a malformed field fails in Jackson or Digest
            out.damaged("container directory containers/" + dirName, "state.json cannot be read: " + e.getMessage(), remove);
            return;
        }
        String subject = "container " + st.name();
        if (!dirName.equals(st.id())) {
            out.damaged(subject, "state.json names id " + st.id() + " but lives in containers/" + dirName, remove);
            return;
        }
        if (!baseIsThere(st, subject, remove)) return;
        lowersAreThere(st, subject);
        ownDirsAreThere(dir, subject, remove);
    }

    private boolean baseIsThere(ContainerState st, String subject, StoreFix remove) {
        boolean ok = true;
        if (st.imageManifest() != null) {
            try {
                Manifest.parse(store.blobs().read(Digest.parse(st.imageManifest())));
            } catch (KilnException e) {
                out.damaged(subject, "its base image's manifest cannot be read: " + e.getMessage(), remove);
                ok = false;
            }
        }
        for (LayerRef l : st.baseLayers()) {
            if (!store.blobs().has(l.blob()) || corruptBlobs.contains(l.blob())) {
                out.damaged(subject, "its base layer " + l.blob() + (corruptBlobs.contains(l.blob()) ? " is corrupt" : " is missing")
                        + " (a commit would reference it)", remove);
                ok = false;
            }
        }
        return ok;
    }

    private void lowersAreThere(ContainerState st, String subject) {
        List<Digest> chain = Snapshots.chainIds(st.baseLayers().stream().map(LayerRef::diffId).toList());
        for (Digest id : chain) {
            if (!store.snapshots().has(id)) {
                out.damaged(subject, "its lower snapshot " + id + " is missing", new StoreFix.RestoreLowers(st.id()));
            }
        }
    }

    private void ownDirsAreThere(Path dir, String subject, StoreFix remove) {
        List<String> needed = store.driver() instanceof OverlayDriver ? List.of("upper", "work", "l") : List.of("rootfs");
        for (String d : needed) {
            if (!Files.isDirectory(dir.resolve(d), LinkOption.NOFOLLOW_LINKS)) {
                out.damaged(subject, "its directory " + d + "/ is missing", remove);
            }
        }
        try {
            Lowers.read(dir);
        } catch (IOException | RuntimeException e) {
            out.damaged(subject, Lowers.FILE + " cannot be read: " + e.getMessage(), remove);
        }
    }
}

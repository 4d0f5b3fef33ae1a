package dev.kiln.transport;

import dev.kiln.oci.Digest;
import java.util.List;

/**
 * Where blobs are known to live in registries ({@code host/repo}), so a push can ask the
 * registry to mount a blob from another repository instead of uploading it. Advisory: a wrong
 * answer costs one declined mount.
 */
public interface BlobOrigins {
    /** Repositories ({@code host/repo}) that are believed to hold {@code blob}. */
    List<String> of(Digest blob);

    /** Remembers that {@code hostAndRepo} holds {@code blob}. */
    void record(Digest blob, String hostAndRepo);

    BlobOrigins NONE = new BlobOrigins() {
        @Override
        public List<String> of(Digest blob) {
            return List.of();
        }

        @Override
        public void record(Digest blob, String hostAndRepo) {}
    };
}

package dev.kiln;

/**
 * Options of {@code commit}.
 *
 * @param squash      one layer holding the flattened base plus the changes
 * @param format      "oci" (default) or "docker" (Docker schema 2, keeps Healthcheck, OnBuild, Shell)
 * @param timestamp   epoch seconds for the created time and every file's mtime (reproducible output); null = now and real mtimes
 * @param compression null or "none" stores the layer uncompressed (the default, as buildah); "gzip" or "zstd" compress it
 * @param remove      remove the working container after committing
 * @param createdBy   the history entry's created_by; null for kiln's default
 */
public record CommitOptions(boolean squash, String format, Long timestamp, String compression, boolean remove, String createdBy) {
    public static CommitOptions defaults() {
        return new CommitOptions(false, "oci", null, null, false, null);
    }
}

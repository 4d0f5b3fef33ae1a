package dev.kiln;

/**
 * Options of {@code push}.
 *
 * @param format      null keeps the image's format; "oci" or "v2s2" (Docker schema 2) converts the manifest
 * @param compression "gzip" (default), "zstd" or "none" for layers stored uncompressed
 */
public record PushOptions(String format, String compression) {
    public static PushOptions defaults() {
        return new PushOptions(null, null);
    }
}

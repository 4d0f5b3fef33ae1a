package dev.kiln;

import java.nio.file.Path;

/**
 * Options of {@code push}.
 *
 * @param format      null keeps the image's format; "oci" or "v2s2" (Docker schema 2) converts the manifest
 * @param compression "gzip" (default), "zstd" or "none" for layers stored uncompressed
 * @param tlsVerify   registry: verify the server's certificate ({@code --tls-verify})
 * @param certDir     registry, nullable: CA certificates for it ({@code --cert-dir}); implies HTTPS
 * @param creds       registry, nullable: {@code user:password} ({@code --creds})
 * @param authFile    registry, nullable: the auth file to read credentials from ({@code --authfile})
 * @param digestFile  nullable: where to write the pushed manifest digest ({@code --digestfile})
 */
public record PushOptions(String format, String compression, boolean tlsVerify, Path certDir, String creds,
                          Path authFile, Path digestFile) {
    public PushOptions(String format, String compression) {
        this(format, compression, true, null, null, null, null);
    }

    public static PushOptions defaults() {
        return new PushOptions(null, null);
    }

    @Override
    public String toString() {
        return "PushOptions[format=" + format + ", compression=" + compression + ", tlsVerify=" + tlsVerify
                + ", certDir=" + certDir + ", creds=" + (creds == null ? "none" : "***") + ", authFile=" + authFile
                + ", digestFile=" + digestFile + "]";
    }
}

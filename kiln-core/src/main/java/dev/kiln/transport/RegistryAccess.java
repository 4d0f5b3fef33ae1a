package dev.kiln.transport;

import java.nio.file.Path;

/**
 * How to reach a registry and what to ask it for, as buildah's flags say it.
 *
 * @param tlsVerify verify the server's certificate ({@code --tls-verify}, default true)
 * @param certDir   nullable: CA certificates ({@code *.crt}) for the registry ({@code --cert-dir});
 *                  giving one means HTTPS even for a loopback registry
 * @param creds     nullable: {@code user:password} ({@code --creds}); otherwise the auth files are searched
 * @param authFile  nullable: the auth file ({@code --authfile}) searched first
 * @param platform  nullable: {@code os/arch[/variant]} chosen from an index ({@code --platform}); null: the host's
 */
public record RegistryAccess(boolean tlsVerify, Path certDir, String creds, Path authFile, String platform) {
    /** Verifying TLS, credentials from the usual auth files, the host's platform. */
    public static RegistryAccess defaults() {
        return new RegistryAccess(true, null, null, null, null);
    }

    @Override
    public String toString() {
        return "RegistryAccess[tlsVerify=" + tlsVerify + ", certDir=" + certDir + ", creds=" + (creds == null ? "none" : "***")
                + ", authFile=" + authFile + ", platform=" + platform + "]";
    }
}

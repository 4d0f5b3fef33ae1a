package dev.kiln;

import java.nio.file.Path;

/**
 * Options of {@code pull} (and of {@code from} when it pulls a missing image).
 *
 * @param tlsVerify verify the registry's certificate ({@code --tls-verify})
 * @param certDir   nullable: CA certificates for the registry ({@code --cert-dir}); implies HTTPS
 * @param creds     nullable: {@code user:password} ({@code --creds})
 * @param authFile  nullable: the auth file to read credentials from ({@code --authfile})
 * @param platform  nullable: {@code os/arch[/variant]} to choose from a multi-platform image; null: the host's
 */
public record PullOptions(boolean tlsVerify, Path certDir, String creds, Path authFile, String platform) {
    public static PullOptions defaults() {
        return new PullOptions(true, null, null, null, null);
    }

    @Override
    public String toString() {
        return "PullOptions[tlsVerify=" + tlsVerify + ", certDir=" + certDir + ", creds=" + (creds == null ? "none" : "***")
                + ", authFile=" + authFile + ", platform=" + platform + "]";
    }
}

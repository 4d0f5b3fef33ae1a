package dev.kiln.registry;

import java.nio.file.Path;

/**
 * How to talk to one registry, as buildah's flags say it.
 *
 * @param tlsVerify   verify the server's certificate and host name ({@code --tls-verify}); false
 *                    accepts any certificate (still TLS, but no authentication of the server)
 * @param certDir     nullable: a directory of CA certificates ({@code *.crt}) trusted for this
 *                    registry in addition to the JDK's ({@code --cert-dir}); when null,
 *                    {@code /etc/containers/certs.d/REGISTRY} and {@code /etc/docker/certs.d/REGISTRY}
 *                    are used if they exist
 * @param credentials nullable: what to answer an authentication challenge with; null is anonymous
 * @param plainHttp   nullable: true for plain HTTP, false for HTTPS, null for automatic, which is
 *                    plain HTTP for {@code localhost} and 127.0.0.0/8 (as Docker and buildah treat
 *                    them as insecure registries) and HTTPS for everything else
 */
public record RegistryOptions(boolean tlsVerify, Path certDir, Credentials credentials, Boolean plainHttp) {
    /** Verifying TLS, anonymous, scheme chosen automatically. */
    public static RegistryOptions defaults() {
        return new RegistryOptions(true, null, null, null);
    }

    public RegistryOptions withCredentials(Credentials newCredentials) {
        return new RegistryOptions(tlsVerify, certDir, newCredentials, plainHttp);
    }

    public RegistryOptions withCertDir(Path newCertDir) {
        return new RegistryOptions(tlsVerify, newCertDir, credentials, plainHttp);
    }

    public RegistryOptions withPlainHttp(Boolean newPlainHttp) {
        return new RegistryOptions(tlsVerify, certDir, credentials, newPlainHttp);
    }

    public RegistryOptions withTlsVerify(boolean newTlsVerify) {
        return new RegistryOptions(newTlsVerify, certDir, credentials, plainHttp);
    }
}

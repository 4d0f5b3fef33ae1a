package dev.kiln.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The registry flags push, pull and from share, as buildah spells them. */
final class RegistryFlags {
    @Option(names = "--creds", paramLabel = "USER[:PASSWORD]",
            description = "Credentials for the registry (default: the auth files).")
    String creds;

    @Option(names = "--authfile", paramLabel = "FILE",
            description = "Auth file to read credentials from (default: $REGISTRY_AUTH_FILE, "
                    + "$XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json).")
    Path authFile;

    @Option(names = "--tls-verify", paramLabel = "BOOL", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Verify the registry's TLS certificate (default: true; localhost and 127.0.0.0/8 use plain HTTP).")
    boolean tlsVerify = true;

    @Option(names = "--cert-dir", paramLabel = "DIR",
            description = "Directory of CA certificates (*.crt) for the registry; implies HTTPS.")
    Path certDir;
}

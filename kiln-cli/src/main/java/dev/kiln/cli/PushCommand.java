package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.PushOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Copies an image from the store to a destination.",
                "DEST is docker://REF, REGISTRY/REPO[:TAG], oci:DIR[:TAG], oci-archive:FILE[:TAG] or",
                "docker-archive:FILE[:NAME[:TAG]]; without DEST, the registry IMAGE's name names."},
        footer = {"", "Example: kiln push --digestfile web.digest localhost/web:1.0 oci-archive:web.tar:1.0"})
final class PushCommand extends VerbCommand {
    enum Format { oci, v2s2, docker }

    enum Compression { gzip, zstd, none }

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT",
            description = "Convert the manifest: ${COMPLETION-CANDIDATES} (docker is v2s2; default: keep the image's format).")
    Format format;

    @Option(names = "--compression-format", paramLabel = "FORMAT",
            description = "Layer compression at the destination: ${COMPLETION-CANDIDATES} (default: gzip).")
    Compression compression;

    @Option(names = "--digestfile", paramLabel = "FILE", description = "Write the digest of the pushed manifest to FILE.")
    Path digestFile;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image (name, id or id prefix).")
    String image;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DEST", description = "Where to copy it, e.g. oci:/tmp/layout:latest.")
    String destination;

    @Mixin
    RegistryFlags registry = new RegistryFlags();

    PushOptions options() {
        String manifestFormat = switch (format) {
            case null -> null;
            case oci -> "oci";
            case v2s2, docker -> "v2s2";
        };
        return new PushOptions(manifestFormat, compression == null ? null : compression.name(), registry.tlsVerify,
                registry.certDir, registry.creds, registry.authFile, digestFile);
    }

    @Override
    void run(Kiln kiln, PrintWriter out) {
        kiln.push(image, destination, options());
    }
}

package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.PullOptions;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Copies an image into the store and prints its id.",
                "SRC is docker://REF, REGISTRY/REPO[:TAG|@DIGEST], oci:DIR[:TAG], oci-archive:FILE[:TAG]",
                "or docker-archive:FILE[:NAME[:TAG]]."},
        footer = {"", "Example: kiln pull --platform linux/arm64 quay.io/ns/app:1.0"})
final class PullCommand extends VerbCommand {
    @Parameters(paramLabel = "SRC", description = "Where to copy the image from.")
    String source;

    @Mixin
    RegistryFlags registry = new RegistryFlags();

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
            description = "Which image of a multi-platform index to pull (default: the host's).")
    String platform;

    PullOptions options() {
        return new PullOptions(registry.tlsVerify, registry.certDir, registry.creds, registry.authFile, platform);
    }

    @Override
    void run(Kiln kiln, PrintWriter out) {
        out.println(kiln.pull(source, options()).id());
    }
}

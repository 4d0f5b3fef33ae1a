package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.PullOptions;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "from", mixinStandardHelpOptions = true,
        description = "Creates a working container from an image (or scratch) and prints its name.",
        footer = {"", "Example: kiln from --name web docker.io/library/alpine:3.20"})
final class FromCommand extends VerbCommand {
    @Option(names = "--name", paramLabel = "NAME",
            description = "Name of the working container (default: IMAGE-working-container).")
    String name;

    @Parameters(paramLabel = "IMAGE", description = "\"scratch\", an image name, or an image id or unique id prefix.")
    String image;

    @Mixin
    RegistryFlags registry = new RegistryFlags();

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
            description = "Which image of a multi-platform index to pull when IMAGE is not in the store.")
    String platform;

    @Override
    void run(Kiln kiln, PrintWriter out) {
        PullOptions pull = new PullOptions(registry.tlsVerify, registry.certDir, registry.creds, registry.authFile, platform);
        out.println(kiln.from(image, name, pull).name());
    }
}

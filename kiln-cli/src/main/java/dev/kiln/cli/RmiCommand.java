package dev.kiln.cli;

import dev.kiln.Kiln;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rmi", mixinStandardHelpOptions = true,
        description = {"Removes images, or names of images.",
                "By name: removes that name, and the image with its last name. By id: removes the image and all its names."},
        footer = {"", "Example: kiln rmi localhost/web:1.0"})
final class RmiCommand extends VerbCommand {
    @Option(names = {"-f", "--force"}, description = "Also remove working containers that use the images.")
    boolean force;

    @Option(names = {"-a", "--all"}, description = "Remove every image.")
    boolean all;

    @Parameters(paramLabel = "IMAGE", arity = "0..*", description = "Images (names, ids or id prefixes).")
    List<String> images = new ArrayList<>();

    @Override
    void validate() {
        if (all && !images.isEmpty()) {
            throw usage("give image names or --all, not both");
        }
        if (!all && images.isEmpty()) {
            throw usage("give at least one image name or id, or --all");
        }
    }

    @Override
    void run(Kiln kiln, PrintWriter out) {
        if (all) {
            kiln.removeAllImages(force).forEach(out::println);
            return;
        }
        for (String image : images) {
            kiln.removeImage(image, force).forEach(out::println);
        }
    }
}

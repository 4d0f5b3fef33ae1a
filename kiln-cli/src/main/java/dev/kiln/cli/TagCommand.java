package dev.kiln.cli;

import dev.kiln.Kiln;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "tag", mixinStandardHelpOptions = true,
        description = "Adds names to an image (short names become localhost/NAME:latest).",
        footer = {"", "Example: kiln tag localhost/web:1.0 web:latest registry.example.com/web:1.0"})
final class TagCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image (name, id or id prefix).")
    String image;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "NEWNAME", description = "Names to add.")
    List<String> newNames;

    @Override
    void run(Kiln kiln, PrintWriter out) {
        newNames.forEach(newName -> kiln.tag(image, newName));
    }
}

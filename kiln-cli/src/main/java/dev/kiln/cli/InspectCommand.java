package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.oci.NotFoundException;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Prints a working container's state or an image's manifest, config and names as JSON.",
        footer = {"", "Example: kiln inspect --type image localhost/web:1.0"})
final class InspectCommand extends VerbCommand {
    enum Type { container, image }

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE",
            description = "What NAME is: ${COMPLETION-CANDIDATES} (default: a container if one has that name, else an image).")
    Type type;

    @Parameters(paramLabel = "NAME", description = "A working container or an image (name or id).")
    String name;

    @Override
    void run(Kiln kiln, PrintWriter out) {
        out.println(inspect(kiln));
    }

    private String inspect(Kiln kiln) {
        if (type == Type.image) {
            return kiln.inspectImage(name);
        }
        if (type == Type.container) {
            return kiln.container(name).inspect();
        }
        try {
            return kiln.container(name).inspect();
        } catch (NotFoundException notAContainer) {
            return kiln.inspectImage(name);
        }
    }
}

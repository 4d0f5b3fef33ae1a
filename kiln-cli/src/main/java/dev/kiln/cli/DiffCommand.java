package dev.kiln.cli;

import dev.kiln.FileChange;
import dev.kiln.Kiln;
import dev.kiln.WorkingContainer;
import dev.kiln.oci.NotFoundException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Lists what changed in a working container since 'from', in an image since its parent, or between two images.",
                "Each line is 'A' (added), 'C' (changed) or 'D' (deleted) and a path."},
        footer = {"", "Example: kiln diff --format json web"})
final class DiffCommand extends VerbCommand {
    enum Format { json }

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "Output format: ${COMPLETION-CANDIDATES} ({\"changed\":[...],\"added\":[...],\"deleted\":[...]}, as podman); default: lines.")
    Format format;

    @Parameters(index = "0", paramLabel = "CTR|IMAGE", description = "A working container, or an image.")
    String first;

    @Parameters(index = "1", arity = "0..1", paramLabel = "IMAGE", description = "An image to compare the first image with (default: its parent).")
    String other;

    @Override
    void run(Kiln kiln, PrintWriter out) {
        print(changes(kiln), out);
    }

    private List<FileChange> changes(Kiln kiln) {
        WorkingContainer container;
        try {
            container = kiln.container(first);
        } catch (NotFoundException notAContainer) {
            return kiln.diff(first, other);
        }
        if (other != null) {
            throw usage("comparing a working container with an image is not supported; give two images, or one container");
        }
        return container.diff();
    }

    private void print(List<FileChange> changes, PrintWriter out) {
        if (format == Format.json) {
            out.println(DiffPrinter.json(changes));
        } else {
            DiffPrinter.lines(changes).forEach(out::println);
        }
    }
}

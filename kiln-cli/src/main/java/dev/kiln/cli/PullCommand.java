package dev.kiln.cli;

import dev.kiln.Kiln;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Copies an image into the store and prints its id.",
                "SRC is oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:NAME[:TAG]]."},
        footer = {"", "Example: kiln pull oci-archive:web.tar:1.0"})
final class PullCommand extends VerbCommand {
    @Parameters(paramLabel = "SRC", description = "Where to copy the image from.")
    String source;

    @Override
    void run(Kiln kiln, PrintWriter out) {
        out.println(kiln.pull(source).id());
    }
}

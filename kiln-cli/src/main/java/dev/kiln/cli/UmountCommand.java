package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.WorkingContainer;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "umount", aliases = "unmount", mixinStandardHelpOptions = true,
        description = "Unmounts working containers' root filesystems and prints their ids.",
        footer = {"", "Example: kiln umount web"})
final class UmountCommand extends VerbCommand {
    @Parameters(paramLabel = "CTR", arity = "1..*", description = "Working containers (names or ids).")
    List<String> containers;

    @Override
    void run(Kiln kiln, PrintWriter out) {
        for (String name : containers) {
            WorkingContainer container = kiln.container(name);
            container.unmount();
            out.println(container.id());
        }
    }
}

package dev.kiln.cli;

import dev.kiln.Kiln;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "mount", mixinStandardHelpOptions = true,
        description = "Mounts a working container's root filesystem and prints its path; it stays mounted until umount.",
        footer = {"", "Example: mnt=$(kiln mount web) && cp -a ./site \"$mnt/srv\" && kiln umount web"})
final class MountCommand extends VerbCommand {
    @Parameters(paramLabel = "CTR", description = "The working container (name or id).")
    String container;

    @Override
    void run(Kiln kiln, PrintWriter out) {
        out.println(kiln.container(container).mount());
    }
}

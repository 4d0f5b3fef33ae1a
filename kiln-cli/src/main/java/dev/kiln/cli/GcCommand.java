package dev.kiln.cli;

import dev.kiln.Kiln;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "Removes unreferenced blobs, snapshots and leftovers from the store and prints a summary.",
        footer = {"", "Example: kiln --root /var/tmp/kiln gc"})
final class GcCommand extends VerbCommand {
    @Override
    void run(Kiln kiln, PrintWriter out) {
        out.println(kiln.gc());
    }
}

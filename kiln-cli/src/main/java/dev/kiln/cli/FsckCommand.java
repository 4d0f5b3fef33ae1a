package dev.kiln.cli;

import dev.kiln.FsckReport;
import dev.kiln.Kiln;
import dev.kiln.oci.KilnException;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "fsck", mixinStandardHelpOptions = true,
        description = {"Checks the store and names every problem on its own line; exits 0 only when the store is sound.",
                "Checks each image's manifest, config and layers (present, size, media type), index.json, each snapshot's"
                        + " meta.json, each working container's base image, lower snapshots and directories. Leftovers of"
                        + " interrupted runs are listed but do not make the store unsound (kiln gc removes them)."},
        footer = {"", "Example: kiln fsck --full --repair"})
final class FsckCommand extends VerbCommand {
    @Option(names = "--full", description = "Also re-hash every blob and unpack every snapshot afresh to compare it with its layer (reads everything).")
    boolean full;

    @Option(names = "--repair", description = "Remove what is broken (rebuilding snapshots from their layers where possible) and what"
            + " nothing references; sound images are never touched. Then check again.")
    boolean repair;

    @Override
    void run(Kiln kiln, PrintWriter out) {
        FsckReport report = kiln.fsck(full, repair);
        for (FsckReport.Problem p : report.found()) out.println((p.damaged() ? "damaged   " : "leftover  ") + p);
        for (String r : report.repairs()) out.println("repaired  " + r);
        if (repair) {
            for (FsckReport.Problem p : report.remaining()) if (p.damaged()) out.println("remains   " + p);
        }
        out.println("checked " + report.checked());
        if (!report.sound()) {
            out.flush();
            throw new KilnException("store " + kiln.root() + " is damaged: " + report.damagedCount()
                    + (report.damagedCount() == 1 ? " problem" : " problems")
                    + (repair ? " remain after the repair" : " (kiln fsck --repair removes what is broken)"));
        }
        long leftovers = report.remaining().size();
        out.println("store " + kiln.root() + " is sound" + (leftovers > 0 ? " (" + leftovers + " leftovers; kiln gc removes them)" : ""));
    }
}

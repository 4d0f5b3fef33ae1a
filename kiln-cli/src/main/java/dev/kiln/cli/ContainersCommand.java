package dev.kiln.cli;

import dev.kiln.ContainerInfo;
import dev.kiln.Kiln;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "containers", aliases = "ps", mixinStandardHelpOptions = true,
        description = "Lists working containers.",
        footer = {"", "Example: kiln containers --quiet"})
final class ContainersCommand extends VerbCommand {
    /** buildah's layout, column for column. */
    private static final String ROW = "%-12s  %-8s %-12s %-32s %s%n";

    @Option(names = {"-a", "--all"},
            description = "Also list containers not created by kiln (accepted for buildah compatibility: every kiln container is a builder container).")
    boolean all;

    @Option(names = {"-q", "--quiet"}, description = "Print container ids only.")
    boolean quiet;

    @Option(names = {"-n", "--noheading"}, description = "Leave out the column headings.")
    boolean noHeading;

    @Option(names = "--notruncate", description = "Print full ids instead of the first 12 characters.")
    boolean noTruncate;

    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    @Override
    void run(Kiln kiln, PrintWriter out) {
        List<ContainerInfo> containers = kiln.containers();
        if (json) {
            out.println(Json.pretty(containers.stream().map(ContainersCommand::toJson).toList()));
        } else if (quiet) {
            containers.forEach(c -> out.println(id(c.id())));
        } else {
            if (!noHeading) {
                out.printf(ROW, "CONTAINER ID", "BUILDER", "IMAGE ID", "IMAGE NAME", "CONTAINER NAME");
            }
            for (ContainerInfo c : containers) {
                out.printf(ROW, id(c.id()), "*", id(c.imageId()), c.imageName(), c.name());
            }
        }
    }

    private String id(String id) {
        return noTruncate ? id : Ids.shorten(id);
    }

    private static Map<String, Object> toJson(ContainerInfo c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("builder", true);
        m.put("imageid", c.imageId());
        m.put("imagename", c.imageName());
        m.put("containername", c.name());
        m.put("created", c.created());
        return m;
    }
}

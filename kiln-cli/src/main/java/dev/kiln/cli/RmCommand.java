package dev.kiln.cli;

import dev.kiln.Kiln;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Removes working containers (unmounting them first) and prints their ids.",
        footer = {"", "Example: kiln rm web"})
final class RmCommand extends VerbCommand {
    @Option(names = {"-a", "--all"}, description = "Remove every working container.")
    boolean all;

    @Parameters(paramLabel = "CTR", arity = "0..*", description = "Working containers (names or ids).")
    List<String> containers = new ArrayList<>();

    @Override
    void validate() {
        if (all && !containers.isEmpty()) {
            throw usage("give container names or --all, not both");
        }
        if (!all && containers.isEmpty()) {
            throw usage("give at least one container name or id, or --all");
        }
    }

    @Override
    void run(Kiln kiln, PrintWriter out) {
        if (all) {
            kiln.removeAllContainers().forEach(out::println);
            return;
        }
        for (String container : containers) {
            out.println(kiln.removeContainer(container));
        }
    }
}

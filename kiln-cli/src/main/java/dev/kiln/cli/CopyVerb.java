package dev.kiln.cli;

import dev.kiln.CopyOptions;
import dev.kiln.Kiln;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What {@code add} and {@code copy} share: the same flags; {@code add} extracts archives. */
abstract class CopyVerb extends VerbCommand {
    @Option(names = "--chown", paramLabel = "USER[:GROUP]",
            description = "Owner of the copied files, by name (looked up in the container's /etc/passwd and /etc/group) or id (default: 0:0).")
    String chown;

    @Option(names = "--chmod", paramLabel = "MODE",
            description = "Octal mode of the copied files and directories, e.g. 0755 (default: the source's).")
    String chmod;

    @Option(names = "--contextdir", paramLabel = "DIR",
            description = "Directory that relative sources are resolved against (default: the current directory).")
    Path contextDir;

    @Parameters(index = "0", paramLabel = "CTR", description = "The working container (name or id).")
    String container;

    @Parameters(index = "1..*", arity = "2..*", paramLabel = "SRC... DEST",
            description = "Sources (files, directories, globs) followed by the destination in the container.")
    List<String> sourcesAndDest;

    abstract boolean extract();

    CopyOptions options() {
        return new CopyOptions(chown, chmod, extract(), contextDir);
    }

    List<String> sources() {
        return sourcesAndDest.subList(0, sourcesAndDest.size() - 1);
    }

    String dest() {
        return sourcesAndDest.getLast();
    }

    @Override
    void run(Kiln kiln, PrintWriter out) {
        kiln.container(container).add(sources(), dest(), options());
    }
}

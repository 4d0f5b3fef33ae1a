package dev.kiln.cli;

import picocli.CommandLine.Command;

@Command(name = "copy", mixinStandardHelpOptions = true,
        description = "Copies files, directories and globs into a working container as they are.",
        footer = {"", "Example: kiln copy --chmod 0755 web ./bin/server ./config.yml /app/"})
final class CopyCommand extends CopyVerb {
    @Override
    boolean extract() {
        return false;
    }
}

package dev.kiln.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Prints kiln's version, the Java runtime's version and the platform.",
        footer = {"", "Example: kiln version"})
final class VersionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.printf("Version:       %s%n", KilnVersion.kilnVersion());
        out.printf("Java Version:  %s%n", KilnVersion.javaVersion());
        out.printf("OS/Arch:       %s%n", KilnVersion.platform());
        return 0;
    }
}

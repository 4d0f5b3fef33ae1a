package dev.kiln.cli;

import dev.kiln.Kiln;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "logout", mixinStandardHelpOptions = true,
        description = "Removes a registry's credentials from the auth file.",
        footer = {"", "Example: kiln logout registry.example.com:5000"})
final class LogoutCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--authfile", paramLabel = "FILE", description = "Auth file to change (default: as for login).")
    Path authFile;

    @Parameters(paramLabel = "REGISTRY", description = "host[:port] of the registry.")
    String registry;

    @Override
    public Integer call() {
        if (Kiln.logout(registry, authFile)) {
            spec.commandLine().getOut().println("Removed login credentials for " + registry);
            return 0;
        }
        spec.commandLine().getErr().println("Error: not logged into " + registry);
        return 1;
    }
}

package dev.kiln.cli;

import dev.kiln.ConfigChange;
import dev.kiln.Kiln;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Edits the image config a working container will be committed with.",
        footer = {"", "Example: kiln config --env PORT=8080 --port 8080 --cmd '[\"/app/server\"]' web"})
final class ConfigCommand extends VerbCommand {
    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE",
            description = "Add or replace an environment variable; KEY- removes it. Repeatable.")
    List<String> env = new ArrayList<>();

    @Option(names = "--cmd", paramLabel = "CMD",
            description = "Default command: a JSON array (exec form) or words split as a shell would; \"\" clears it.")
    String cmd;

    @Option(names = "--entrypoint", paramLabel = "ENTRYPOINT",
            description = "Entrypoint: a JSON array, or a string run as /bin/sh -c STRING; \"\" clears it.")
    String entrypoint;

    @Option(names = "--workingdir", paramLabel = "DIR", description = "Working directory of the container's process.")
    String workingDir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "User (and group) the container's process runs as.")
    String user;

    @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE",
            description = "Add or replace an image label; KEY- removes it. Repeatable.")
    List<String> labels = new ArrayList<>();

    @Option(names = {"-a", "--annotation"}, paramLabel = "KEY=VALUE",
            description = "Add or replace a manifest annotation; KEY- removes it. Repeatable.")
    List<String> annotations = new ArrayList<>();

    @Option(names = {"-p", "--port"}, paramLabel = "PORT[/PROTO]",
            description = "Expose a port, e.g. 80, 80/tcp, 53/udp; PORT- removes it. Repeatable.")
    List<String> ports = new ArrayList<>();

    @Option(names = {"-v", "--volume"}, paramLabel = "PATH",
            description = "Declare a volume, e.g. /data; /data- removes it. Repeatable.")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--stop-signal", paramLabel = "SIGNAL", description = "Signal that stops the container, e.g. SIGTERM.")
    String stopSignal;

    @Option(names = "--author", paramLabel = "AUTHOR", description = "Author of the image.")
    String author;

    @Option(names = "--created-by", paramLabel = "TEXT", description = "The created_by text of the next history entry.")
    String createdBy;

    @Option(names = "--os", paramLabel = "OS", description = "Operating system of the image, e.g. linux.")
    String os;

    @Option(names = "--arch", paramLabel = "ARCH", description = "Architecture of the image, e.g. amd64, arm64.")
    String arch;

    @Option(names = "--shell", paramLabel = "JSON", description = "Shell for shell-form commands, a JSON array (Docker format only).")
    String shell;

    @Option(names = "--healthcheck", paramLabel = "COMMAND",
            description = "Health check: CMD ..., CMD-SHELL ..., NONE, or plain words (Docker format only).")
    String healthcheck;

    @Option(names = "--healthcheck-interval", paramLabel = "DURATION", description = "Time between health checks, e.g. 30s.")
    String healthcheckInterval;

    @Option(names = "--healthcheck-timeout", paramLabel = "DURATION", description = "Time a health check may take, e.g. 5s.")
    String healthcheckTimeout;

    @Option(names = "--healthcheck-start-period", paramLabel = "DURATION",
            description = "Time after start before failed health checks count, e.g. 10s.")
    String healthcheckStartPeriod;

    @Option(names = "--healthcheck-retries", paramLabel = "N",
            description = "Failed health checks in a row that make the container unhealthy.")
    Integer healthcheckRetries;

    @Option(names = "--onbuild", paramLabel = "INSTRUCTION",
            description = "Append an ONBUILD trigger (Docker format only). Repeatable.")
    List<String> onbuild = new ArrayList<>();

    @Parameters(paramLabel = "CTR", description = "The working container (name or id).")
    String container;

    ConfigChange change() {
        return new ConfigChange(List.copyOf(env), cmd, entrypoint, workingDir, user,
                List.copyOf(labels), List.copyOf(annotations), List.copyOf(ports), List.copyOf(volumes),
                stopSignal, author, createdBy, os, arch, shell, healthcheck, healthcheckInterval,
                healthcheckTimeout, healthcheckStartPeriod, healthcheckRetries, List.copyOf(onbuild));
    }

    @Override
    void run(Kiln kiln, PrintWriter out) {
        kiln.container(container).config(change());
    }
}

package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.RunOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln run}: one {@link WorkingContainer#run} with kiln's own streams; the command's exit
 * code is kiln's. Not a {@link VerbCommand}: that one always exits 0.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs a command in a working container; what it writes goes into the next commit.",
                "stdin, stdout and stderr pass through and the command's exit code is kiln's (127: not found).",
                "Ctrl-C stops the container and removes its mount points, bundle and runtime state."},
        footer = {"", "Example: kiln run --network none $ctr -- sh -c 'echo hi > /hello'"})
final class RunCommand implements Callable<Integer> {
    /** How long a SIGINT/SIGTERM waits for the run to clean up before kiln exits anyway. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    enum Isolation { oci, chroot }

    enum Network { host, none }

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--runtime", paramLabel = "R", description = "OCI runtime: runc (default), crun or a path.")
    String runtime;

    @Option(names = "--isolation", paramLabel = "I",
            description = "${COMPLETION-CANDIDATES} (default: oci); chroot is weaker, for hosts without an OCI runtime.")
    Isolation isolation;

    @Option(names = "--network", paramLabel = "N", description = "${COMPLETION-CANDIDATES} (default: host); none leaves only lo.")
    Network network;

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "User to run as, by name or id (default: the image's).")
    String user;

    @Option(names = "--workingdir", paramLabel = "DIR", description = "Directory to start in (default: the image's; created if missing).")
    String workingDir;

    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Set an environment variable (repeatable).")
    List<String> env = new ArrayList<>();

    @Option(names = {"-v", "--volume"}, paramLabel = "HOST:CTR[:ro]", description = "Bind-mount a host path (repeatable); nothing of it is committed.")
    List<String> volumes = new ArrayList<>();

    @Option(names = {"-t", "--tty"}, description = "Give the command a terminal.")
    boolean tty;

    @Option(names = "--hostname", paramLabel = "H", description = "The container's hostname.")
    String hostname;

    @Parameters(index = "0", paramLabel = "CTR", description = "The working container (name or id).")
    String container;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    RunOptions options() {
        // With options stopping at the container (Main), a "--" after it arrives as a parameter.
        List<String> args = !command.isEmpty() && command.getFirst().equals("--") ? command.subList(1, command.size()) : command;
        return new RunOptions(args, env, workingDir, user, hostname, tty, network == null ? null : network.name(), volumes,
                isolation == null ? null : isolation.name(), runtime);
    }

    @Override
    public Integer call() throws Exception {
        RunOptions options = options();
        // The store is closed on the stoppable thread too, so a SIGINT also ends its lease (tmp/ID/ goes).
        return runStoppable(() -> {
            try (Kiln kiln = main.openStore()) {
                return kiln.container(container).run(options);
            }
        });
    }

    /**
     * Runs {@code work} on its own thread so that SIGINT/SIGTERM (a shutdown hook) can interrupt
     * it: the runner then stops the container and removes the bundle, runtime state and mount
     * points, and the root is unmounted, before the JVM exits. Open and close the store inside
     * {@code work}, so its lease ends before the JVM does.
     */
    static int runStoppable(Callable<Integer> work) throws Exception {
        int[] code = new int[1];
        Exception[] failure = new Exception[1];
        Thread worker = Thread.ofPlatform().name("kiln-run").unstarted(() -> {
            try {
                code[0] = work.call();
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        Thread hook = new Thread(() -> {
            worker.interrupt();
            try {
                worker.join(STOP_GRACE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kiln-run-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        worker.start();
        worker.join();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it only waits for the worker, which is done
        }
        if (failure[0] != null) throw failure[0];
        return code[0];
    }
}

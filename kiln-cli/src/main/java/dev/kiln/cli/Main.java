package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.KilnOptions;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The top command {@code kiln}: global options and the list of verbs. Each verb is one class
 * that turns its flags into one call of the {@code dev.kiln} facade and prints the result.
 */
@Command(name = "kiln",
        mixinStandardHelpOptions = true,
        versionProvider = KilnVersion.class,
        description = "Builds OCI container images without a daemon, verb by verb as buildah does.",
        footer = {"", "Example: ctr=$(kiln from scratch) && kiln copy $ctr app / && kiln commit $ctr app"},
        subcommands = {
                FromCommand.class, ContainersCommand.class, AddCommand.class, CopyCommand.class,
                ConfigCommand.class, MountCommand.class, UmountCommand.class, DiffCommand.class,
                CommitCommand.class, ImagesCommand.class, TagCommand.class, RmiCommand.class,
                RmCommand.class, InspectCommand.class, PushCommand.class, PullCommand.class,
                LoginCommand.class, LogoutCommand.class,
                GcCommand.class, FsckCommand.class, RunCommand.class, BuildCommand.class, VersionCommand.class})
public final class Main implements Runnable {
    /** Exit code of a usage error, as buildah. */
    static final int USAGE_ERROR = 125;

    enum StorageDriver { overlay, vfs }

    @Spec
    CommandSpec spec;

    @Option(names = "--root", paramLabel = "DIR",
            description = "Store directory (default: /var/lib/kiln for root, else $XDG_DATA_HOME/kiln).")
    Path root;

    @Option(names = "--storage-driver", paramLabel = "DRIVER",
            description = "Storage driver: ${COMPLETION-CANDIDATES} (default: the store's own, else overlay where the kernel allows it).")
    StorageDriver storageDriver;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    public static void main(String... args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs one kiln command line and returns its exit code; what {@link #main} and tests call. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        PrintWriter outWriter = new PrintWriter(out, true, StandardCharsets.UTF_8);
        PrintWriter errWriter = new PrintWriter(err, true, StandardCharsets.UTF_8);
        Main main = new Main();
        CommandLine commandLine = commandLine(main, outWriter, errWriter);
        try {
            return commandLine.execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    static CommandLine commandLine(Main main, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(main);
        commandLine.setUsageHelpWidth(100); // room for the example lines in the footers
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((e, args) -> ErrorReporter.usageError(e, err));
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> ErrorReporter.report(e, main.debug, err));
        // kiln run CTR ls -l: everything after the container is the command, as buildah run.
        commandLine.getSubcommands().get("run").setStopAtPositional(true);
        return commandLine;
    }

    /** Opens the store the global options name; every verb but {@code version} calls this once. */
    Kiln openStore() {
        return Kiln.open(new KilnOptions(root, storageDriver == null ? null : storageDriver.name()));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

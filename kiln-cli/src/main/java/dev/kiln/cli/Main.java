package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.KilnOptions;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
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
        footer = {"", "Example: ctr=$(kiln from scratch) && kiln copy $ctr app / && kiln commit $ctr app"})
public final class Main implements Runnable {
    /** Exit code of a usage error, as buildah. */
    static final int USAGE_ERROR = 125;

    /** Every verb, in the order help lists them. */
    static final List<Class<?>> VERBS = List.of(
            FromCommand.class, ContainersCommand.class, AddCommand.class, CopyCommand.class,
            ConfigCommand.class, MountCommand.class, UmountCommand.class, DiffCommand.class,
            CommitCommand.class, ImagesCommand.class, TagCommand.class, RmiCommand.class,
            RmCommand.class, InspectCommand.class, PushCommand.class, PullCommand.class,
            LoginCommand.class, LogoutCommand.class,
            GcCommand.class, FsckCommand.class, RunCommand.class, BuildCommand.class, VersionCommand.class);

    /** Main's options that take a value as the next word (what {@link #verbsFor} must skip). */
    private static final Set<String> OPTIONS_WITH_VALUE = Set.of("--root", "--storage-driver");

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
        CommandLine commandLine = commandLine(main, outWriter, errWriter, verbsFor(args));
        try {
            return commandLine.execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    /** The command line with every verb, as help shows it. */
    static CommandLine commandLine(Main main, PrintWriter out, PrintWriter err) {
        return commandLine(main, out, err, VERBS);
    }

    static CommandLine commandLine(Main main, PrintWriter out, PrintWriter err, List<Class<?>> verbs) {
        CommandLine commandLine = new CommandLine(main);
        for (Class<?> verb : verbs) commandLine.addSubcommand(verb);
        commandLine.setUsageHelpWidth(100); // room for the example lines in the footers
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((e, args) -> ErrorReporter.usageError(e, err));
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> ErrorReporter.report(e, main.debug, err));
        // kiln run CTR ls -l: everything after the container is the command, as buildah run.
        CommandLine run = commandLine.getSubcommands().get("run");
        if (run != null) run.setStopAtPositional(true);
        return commandLine;
    }

    /**
     * The verbs {@code args} needs: the one it names, or all of them when it names none (help, a
     * mistyped verb: the messages list and suggest them). picocli reflects over every option of
     * every verb it is given, which was ~0.2 s of each command's start (issue 7).
     */
    static List<Class<?>> verbsFor(String... args) {
        String word = null;
        for (int i = 0; i < args.length && word == null; i++) {
            if (OPTIONS_WITH_VALUE.contains(args[i])) i++;
            else if (!args[i].startsWith("-")) word = args[i];
        }
        for (Class<?> verb : VERBS) {
            Command command = verb.getAnnotation(Command.class);
            if (command.name().equals(word) || Arrays.asList(command.aliases()).contains(word)) return List.of(verb);
        }
        return VERBS;
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

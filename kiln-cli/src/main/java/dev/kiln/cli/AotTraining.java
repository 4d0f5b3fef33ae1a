package dev.kiln.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training run behind the launcher's AOT cache (JEP 483/514, issue 7): {@code ./kiln} runs
 * this class with {@code -XX:AOTMode=record} in the background, then makes
 * {@code kiln-cli/target/kiln-*.aot} from what it loaded and linked, so later commands start
 * with kiln's classes already parsed, verified and linked. It runs the short verbs in process
 * against a throwaway store in {@code DIR} (never the user's): help of every verb, then
 * from scratch, config, containers, inspect, mount/umount, run (which fails for lack of a
 * command in an empty rootfs, after setting up the whole run), commit, images, rm, rmi.
 * Output is discarded and failures are ignored: only the loaded classes matter. Not a verb.
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String... args) throws IOException {
        Path dir = Path.of(args[0]);
        String store = Files.createDirectories(dir.resolve("store")).toString();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true);
        run(quiet, "--version");
        run(quiet, "--help");
        PrintWriter sink = new PrintWriter(quiet);
        for (String verb : Main.commandLine(new Main(), sink, sink).getSubcommands().keySet()) {
            run(quiet, verb, "--help");
        }
        String ctr = "kiln-aot-training";
        run(quiet, "--root", store, "from", "--name", ctr, "scratch");
        run(quiet, "--root", store, "config", "--cmd", "true", "--env", "A=1", ctr);
        run(quiet, "--root", store, "containers");
        run(quiet, "--root", store, "inspect", ctr);
        run(quiet, "--root", store, "mount", ctr);
        run(quiet, "--root", store, "umount", ctr);
        run(quiet, "--root", store, "run", ctr, "--", "true");
        run(quiet, "--root", store, "commit", "--timestamp", "0", ctr, "kiln-aot-training");
        run(quiet, "--root", store, "images");
        run(quiet, "--root", store, "rm", ctr);
        run(quiet, "--root", store, "rmi", "kiln-aot-training");
        run(quiet, "--root", store, "nosuchverb");
    }

    private static void run(PrintStream quiet, String... args) {
        try {
            Main.run(quiet, quiet, args);
        } catch (RuntimeException ignored) {
            // only the classes it loaded matter
        }
    }
}

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
 * command in an empty rootfs, after setting up the whole run), commit, images, push and pull
 * through an OCI layout and through a {@link TrainingRegistry} on loopback, a small build twice
 * (the second from the cache), rm, rmi, fsck, gc.
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
        // transfers and builds: an OCI layout, and a registry in memory on loopback (the HTTP
        // client is ~0.5 s of a push or pull's start-up when its classes are not in the cache)
        String layout = dir.resolve("layout").toString();
        run(quiet, "--root", store, "push", "kiln-aot-training", "oci:" + layout + ":t");
        run(quiet, "--root", store, "pull", "oci:" + layout + ":t");
        try (TrainingRegistry registry = new TrainingRegistry()) {
            String ref = registry.address() + "/kiln/aot-training:t";
            run(quiet, "--root", store, "push", "kiln-aot-training", ref);
            run(quiet, "--root", store, "pull", ref);
            run(quiet, "--root", store, "rmi", ref);
        } catch (IOException | RuntimeException ignored) {
            // no loopback port: the cache just lacks these classes
        }
        Path context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("f"), "kiln\n");
        Files.writeString(context.resolve("Dockerfile"), """
                FROM scratch
                ARG A=1
                ENV B=$A
                LABEL kiln.training=1
                WORKDIR /w
                COPY f /w/f
                CMD ["true"]
                """);
        run(quiet, "--root", store, "build", "--timestamp", "0", "-q", "-t", "kiln-aot-training-build", context.toString());
        run(quiet, "--root", store, "build", "--timestamp", "0", "-q", "-t", "kiln-aot-training-build", context.toString());
        run(quiet, "--root", store, "rmi", "kiln-aot-training-build");
        run(quiet, "--root", store, "rm", ctr);
        run(quiet, "--root", store, "rmi", "kiln-aot-training");
        run(quiet, "--root", store, "fsck");
        run(quiet, "--root", store, "gc");
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

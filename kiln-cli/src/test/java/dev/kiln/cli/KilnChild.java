package dev.kiln.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real kiln command line as a child process: a JVM running {@link Main} with this build's
 * classes (the test's class path, so no launcher rebuild is involved) and the launcher's JVM flags.
 * Its output goes to files, so a killed child never blocks on a pipe.
 */
final class KilnChild {
    private KilnChild() {}

    /** What a finished child did. */
    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** The command line that runs kiln with {@code jvmOptions} and {@code args}. */
    static List<String> command(List<String> jvmOptions, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xshare:auto"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return cmd;
    }

    /** Starts kiln; stdout and stderr go to {@code logPrefix}.out and .err. */
    static Process start(Path logPrefix, List<String> jvmOptions, List<String> args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(jvmOptions, args))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out(logPrefix).toFile())
                .redirectError(err(logPrefix).toFile());
        return pb.start();
    }

    /** Runs kiln to the end (at most {@code timeoutSeconds}). */
    static Result run(Path logPrefix, List<String> jvmOptions, List<String> args, long timeoutSeconds)
            throws IOException, InterruptedException {
        Process p = start(logPrefix, jvmOptions, args);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("kiln " + String.join(" ", args) + " did not finish within " + timeoutSeconds + " s");
        }
        return result(logPrefix, p.exitValue());
    }

    static Result result(Path logPrefix, int code) throws IOException {
        return new Result(code, Files.readString(out(logPrefix), StandardCharsets.UTF_8),
                Files.readString(err(logPrefix), StandardCharsets.UTF_8));
    }

    private static Path out(Path prefix) {
        return prefix.resolveSibling(prefix.getFileName() + ".out");
    }

    private static Path err(Path prefix) {
        return prefix.resolveSibling(prefix.getFileName() + ".err");
    }
}

package dev.kiln.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the real tools tests use as parts and oracles (GNU tar, buildah, skopeo, umoci, runc).
 * A missing tool skips the test with a reason that names it; CI installs them all, so there
 * they always run.
 */
public final class Tools {
    private Tools() {}

    public record Result(int exitCode, String stdout, String stderr) {
        public Result orFail(String what) {
            if (exitCode != 0) {
                throw new AssertionError(what + " exited " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr);
            }
            return this;
        }
    }

    /** Skips the calling test, with the reason printed, when {@code tool} is not on PATH. */
    public static void require(String tool) {
        Assumptions.assumeTrue(onPath(tool), () -> "skipped: needs '" + tool + "' on PATH (scripts/install-deps --tests installs it)");
    }

    /** Skips the calling test unless running as root (mounts, chown, device nodes). */
    public static void requireRoot() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "skipped: needs root (mounts, ownership, device nodes)");
    }

    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    /** Runs a command, failing the test if it does not exit 0. */
    public static Result run(String... command) throws IOException, InterruptedException {
        return exec(null, List.of(command)).orFail(String.join(" ", command));
    }

    /** Runs a command and returns whatever it did. */
    public static Result exec(Path cwd, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
        if (cwd != null) pb.directory(cwd.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path out = Files.createTempFile("kiln-tool", ".out");
        Path err = Files.createTempFile("kiln-tool", ".err");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 10 minutes");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}

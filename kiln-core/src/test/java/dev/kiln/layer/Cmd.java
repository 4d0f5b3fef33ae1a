package dev.kiln.layer;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Runs an oracle tool (GNU tar, gzip, zstd) and returns its stdout; fails on a non-zero exit. */
final class Cmd {
    private Cmd() {}

    static String run(Path dir, String... args) throws IOException, InterruptedException {
        return new String(runBytes(dir, null, args), StandardCharsets.UTF_8);
    }

    static byte[] runBytes(Path dir, Path stdin, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(List.of(args)).directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.PIPE);
        pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                : ProcessBuilder.Redirect.from(stdin.toFile()));
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().put("TZ", "UTC");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", args) + " failed: " + err);
        return out;
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}

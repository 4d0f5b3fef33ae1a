package dev.kiln.runtime;

import dev.kiln.oci.KilnException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts host processes: the runtime with the caller's {@link Stdio}, and small helper commands. */
final class Subprocess {
    private Subprocess() {}

    /** Runs {@code command} wired to {@code stdio} and returns its exit code (128+N for signal N). */
    static int run(List<String> command, Stdio stdio, String what) throws InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        List<Thread> pumps = new ArrayList<>();
        Process p;
        try {
            switch (stdio) {
                case Stdio.Inherit i -> pb.inheritIO();
                case Stdio.Streams s -> {
                    if (s.stdin() == null) pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                }
            }
            p = pb.start();
        } catch (IOException e) {
            throw new KilnException(what + ": cannot start " + command.getFirst() + ": " + e.getMessage(), e);
        }
        if (stdio instanceof Stdio.Streams s) {
            if (s.stdin() != null) pumps.add(Thread.ofVirtual().start(() -> pumpIn(s.stdin(), p.getOutputStream())));
            pumps.add(Thread.ofVirtual().start(() -> pumpOut(p.getInputStream(), s.stdout())));
            pumps.add(Thread.ofVirtual().start(() -> pumpOut(p.getErrorStream(), s.stderr())));
        }
        // kiln stopped by SIGINT/SIGTERM: the process must not outlive it (runc's own state is
        // cleaned by OciRuntime's hook; unshare --kill-child takes the chroot's processes along).
        Thread hook = new Thread(p::destroyForcibly, "kiln-stop-" + p.pid());
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            int code = p.waitFor();
            for (Thread t : pumps) t.join();
            return code;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // already running
            }
        }
    }

    private static void pumpIn(InputStream from, OutputStream to) {
        try (to) {
            from.transferTo(to);
        } catch (IOException e) {
            // The command exited without reading all of stdin, as `head` does: not an error.
        }
    }

    private static void pumpOut(InputStream from, OutputStream to) {
        try (from) {
            byte[] buf = new byte[8192];
            for (int n; (n = from.read(buf)) > 0; ) {
                synchronized (to) {
                    to.write(buf, 0, n);
                    to.flush();
                }
            }
        } catch (IOException e) {
            throw new KilnException("copying the container's output: " + e.getMessage(), e);
        }
    }

    /** Runs a helper to completion, output captured; returns exit code and the combined output. */
    record Captured(int exitCode, String output) {}

    static Captured capture(List<String> command) {
        try {
            Path out = Files.createTempFile("kiln-runtime", ".out");
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                int code = p.waitFor();
                return new Captured(code, Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            return new Captured(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Captured(-1, "interrupted");
        }
    }

    /** Finds {@code name} on PATH, or takes it as a path when it contains '/'. */
    static Path locate(String name) {
        if (name.contains("/")) return Files.isExecutable(Path.of(name)) ? Path.of(name) : null;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) return p;
        }
        for (String dir : List.of("/usr/local/sbin", "/usr/sbin", "/sbin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }
}

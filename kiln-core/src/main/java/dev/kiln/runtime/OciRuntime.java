package dev.kiln.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs a {@link Launch} with an OCI runtime: {@code RUNTIME --root STATE/NAME run --bundle B ID}.
 * The runtime's state lives under kiln's state directory so kiln's containers never mix with
 * other users of the same runtime. The container is deleted afterwards whatever happened, and a
 * shutdown hook kills and deletes it if kiln itself is stopped (SIGINT/SIGTERM).
 */
final class OciRuntime {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private OciRuntime() {}

    static int run(Launch l, Stdio stdio) throws IOException, InterruptedException {
        String name = l.spec().runtime();
        Path binary = Subprocess.locate(name);
        if (binary == null) throw unusable(name, "'" + name + "' not found" + (name.contains("/") ? "" : " on PATH"));
        Path stateRoot = l.spec().stateDir().resolve(binary.getFileName().toString());
        Files.createDirectories(stateRoot);
        Files.write(l.bundle().resolve("config.json"), OciConfig.bytes(OciConfig.build(l)));
        Path log = l.bundle().resolve("runtime.log");
        List<String> base = List.of(binary.toString(), "--root", stateRoot.toString());
        Thread hook = new Thread(() -> kill(base, l.id()), "kiln-stop-" + l.id());
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            List<String> command = new java.util.ArrayList<>(base);
            command.addAll(List.of("--log", log.toString(), "--log-format", "json", "run", "--bundle", l.bundle().toString(), l.id()));
            int code = Subprocess.run(command, stdio, "running " + name);
            return exitCode(name, code, lastError(log));
        } finally {
            delete(base, l.id());
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running or has run; it does the same cleanup.
            }
        }
    }

    /**
     * The command's exit code. runc 1.1 exits 1 when it cannot exec the command and logs, e.g.,
     * {@code exec: "foo": executable file not found in $PATH}; a shell says 127 (126 when the file
     * is not executable), and so does kiln. Any other runtime error means the runtime is unusable.
     */
    static int exitCode(String runtime, int code, String lastError) {
        if (lastError == null) return code;
        if (lastError.contains("exec: ")) {
            if (lastError.contains("executable file not found") || lastError.contains("no such file or directory")) return 127;
            if (lastError.contains("permission denied") || lastError.contains("exec format error")) return 126;
        }
        if (code == 0) return 0;
        throw unusable(runtime, lastError);
    }

    static KilnException unusable(String runtime, String reason) {
        return new KilnException("runtime '" + runtime + "' could not run the container: " + reason
                + " (try --runtime runc, or --isolation chroot on hosts without a usable OCI runtime)");
    }

    private static String lastError(Path log) throws IOException {
        if (!Files.exists(log)) return null;
        String last = null;
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            try {
                JsonNode n = MAPPER.readTree(line);
                String level = n.path("level").asText("");
                if (level.equals("error") || level.equals("fatal")) last = n.path("msg").asText(line);
            } catch (IOException notJson) {
                if (!line.isBlank()) last = line.strip();
            }
        }
        return last;
    }

    private static void kill(List<String> base, String id) {
        Subprocess.capture(concat(base, "kill", id, "KILL"));
        delete(base, id);
    }

    private static void delete(List<String> base, String id) {
        Subprocess.Captured r = Subprocess.capture(concat(base, "delete", "--force", id));
        if (r.exitCode() != 0 && !r.output().contains("does not exist") && !r.output().contains("not exist")) {
            System.err.println("kiln: warning: deleting container " + id + ": " + r.output().strip());
        }
    }

    private static List<String> concat(List<String> base, String... more) {
        List<String> out = new java.util.ArrayList<>(base);
        out.addAll(List.of(more));
        return out;
    }
}

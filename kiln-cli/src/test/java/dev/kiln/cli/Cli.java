package dev.kiln.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Runs kiln in-process against one store, capturing stdout, stderr and the exit code. */
record Cli(Path root) {
    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : err.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        return runRaw(all.toArray(String[]::new));
    }

    static Result runRaw(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs and insists on success with nothing on stderr; returns stdout without the final newline. */
    String ok(String... args) {
        Result r = run(args);
        if (r.code() != 0 || !r.err().isEmpty()) throw new AssertionError("kiln " + String.join(" ", args) + " failed: " + r);
        return r.out().strip();
    }

    /**
     * Every path under the store with its type and, for files, size: what a failed command must
     * not change. The store's process coordination is left out: lock files at the top (made on
     * first use) and what is in leases/ (one per open store, gone when it closes).
     */
    Map<String, String> storeListing() throws IOException {
        Map<String, String> listing = new TreeMap<>();
        if (!Files.exists(root)) return listing;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.toList()) {
                String rel = root.relativize(p).toString();
                if (rel.startsWith("leases/") || !rel.contains("/") && rel.endsWith(".lock")) continue;
                String kind = Files.isSymbolicLink(p) ? "link" : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir"
                        : "file " + Files.size(p);
                listing.put(root.relativize(p).toString(), kind);
            }
        }
        return listing;
    }
}

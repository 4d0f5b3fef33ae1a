package dev.kiln.build;

import dev.kiln.testing.TreeListing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What one build produced, in a form two builders can be compared on: whether it succeeded, the
 * final filesystem entry by entry ({@link TreeListing} lines plus hardlink groups) and a summary
 * of the image config. Timestamps, history and layer boundaries are deliberately not part of it.
 *
 * @param builder who built it ("buildah", "kiln"), for messages
 * @param ok      the build succeeded
 * @param log     the builder's output (the error for a failed build), for messages only
 * @param tree    path → "type mode uid:gid size sha256|-> target[ hardlink=FIRST]"; empty when failed
 * @param config  config field (Env, Cmd, Entrypoint, ...) → canonical JSON; empty/null fields absent
 */
public record BuildResult(String builder, boolean ok, String log, Map<String, String> tree, Map<String, String> config) {

    /** The config fields compared (Docker format names, as {@code buildah inspect} shows them). */
    public static final List<String> CONFIG_FIELDS = List.of("Env", "Cmd", "Entrypoint", "WorkingDir", "User",
            "ExposedPorts", "Volumes", "Labels", "StopSignal", "Healthcheck", "OnBuild", "Shell");

    /** Labels every buildah-built image carries: not part of what a Dockerfile asks for. */
    public static final Set<String> IGNORED_LABELS = Set.of("io.buildah.version");

    /**
     * Runtime placeholders buildah's RUN leaves in images (mount points and bind-mount targets);
     * ignored only while empty, i.e. when no instruction wrote them.
     */
    public static final Set<String> RUNTIME_PLACEHOLDERS = Set.of("/proc", "/sys", "/dev", "/run", "/etc/hosts",
            "/etc/hostname", "/etc/resolv.conf");

    public static BuildResult failed(String builder, String log) {
        return new BuildResult(builder, false, log, Map.of(), Map.of());
    }

    /**
     * The listing of a mounted image root: {@link TreeListing} lines, with " hardlink=P" appended
     * to every regular file that shares its inode with P (the first such path in name order), and
     * without the empty runtime placeholders.
     */
    public static Map<String, String> listing(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>(TreeListing.of(root, Set.of()));
        for (String p : RUNTIME_PLACEHOLDERS) {
            Path host = root.resolve(p.substring(1));
            if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> s = Files.list(host)) {
                    if (s.findAny().isEmpty()) out.remove(p);
                }
            } else if (Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS) && Files.size(host) == 0) {
                out.remove(p);
            }
        }
        Map<Object, String> firstByInode = new HashMap<>();
        for (Map.Entry<String, String> e : out.entrySet()) {
            if (!e.getValue().startsWith("file ")) continue;
            Path host = root.resolve(e.getKey().substring(1));
            if ((int) Files.getAttribute(host, "unix:nlink", LinkOption.NOFOLLOW_LINKS) < 2) continue;
            Object ino = Files.getAttribute(host, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            String first = firstByInode.putIfAbsent(ino, e.getKey());
            if (first != null) e.setValue(e.getValue() + " hardlink=" + first);
        }
        return out;
    }

    /**
     * This result without those of {@code paths} that are empty (a directory with nothing below
     * it, a file of 0 bytes): the mount points of RUN --mount that buildah leaves in its images,
     * like {@link #RUNTIME_PLACEHOLDERS}.
     */
    public BuildResult withoutEmpty(Set<String> paths) {
        if (!ok || paths.isEmpty()) return this;
        Map<String, String> t = new TreeMap<>(tree);
        for (String p : paths) {
            String v = t.get(p);
            if (v == null) continue;
            boolean emptyDir = v.startsWith("dir ") && t.keySet().stream().noneMatch(k -> k.startsWith(p + "/"));
            boolean emptyFile = v.startsWith("file ") && v.split(" ")[3].equals("0");
            if (emptyDir || emptyFile) t.remove(p);
        }
        return new BuildResult(builder, ok, log, t, config);
    }

    /**
     * Readable differences between this result and {@code other} (empty when they agree): the
     * outcome, then every path only in one tree or described differently, then every config field.
     */
    public List<String> diff(BuildResult other) {
        return List.copyOf(differences(other).values());
    }

    /**
     * {@link #diff} keyed by what differs: the path ({@code /etc/passwd}), {@code config:FIELD}, or
     * {@code outcome}; in that order.
     */
    public Map<String, String> differences(BuildResult other) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        String a = builder, b = other.builder;
        if (ok != other.ok) {
            out.put("outcome", "outcome: " + a + (ok ? " succeeded" : " failed") + ", " + b + (other.ok ? " succeeded" : " failed")
                    + "\n  " + a + ": " + tail(log) + "\n  " + b + ": " + tail(other.log));
            return out;
        }
        if (!ok) return out;
        Set<String> paths = new TreeSet<>(tree.keySet());
        paths.addAll(other.tree.keySet());
        for (String p : paths) {
            String x = tree.get(p), y = other.tree.get(p);
            if (x == null) out.put(p, "only in " + b + ": " + p + "  (" + y + ")");
            else if (y == null) out.put(p, "only in " + a + ": " + p + "  (" + x + ")");
            else if (!x.equals(y)) out.put(p, "differs " + p + "\n  " + a + ": " + x + "\n  " + b + ": " + y);
        }
        Set<String> keys = new TreeSet<>(config.keySet());
        keys.addAll(other.config.keySet());
        for (String k : keys) {
            String x = config.get(k), y = other.config.get(k);
            if (x == null ? y != null : !x.equals(y)) out.put("config:" + k, "config " + k + "\n  " + a + ": " + x + "\n  " + b + ": " + y);
        }
        return out;
    }

    private static String tail(String s) {
        if (s == null) return "";
        String t = s.strip();
        return t.length() > 400 ? "..." + t.substring(t.length() - 400) : t;
    }

    @Override
    public String toString() {
        return builder + (ok ? " ok, " + tree.size() + " entries, config " + config : " FAILED: " + tail(log));
    }
}

package dev.kiln.dockerfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * Path arithmetic for untrusted names inside a context root, in the manner of
 * filepath-securejoin: every component is resolved one at a time, {@code ..} stops at the
 * root, and a symlink's target is resolved again inside the root (an absolute target is
 * re-rooted at the context). Nothing here ever yields a path outside the root.
 */
final class ContextPaths {
    /** Symlinks followed in one resolution before giving up (Linux's MAXSYMLINKS is 40). */
    private static final int MAX_LINKS = 40;

    private ContextPaths() {}

    /** Go's {@code filepath.Clean} for {@code /}-separated paths. */
    static String clean(String path) {
        if (path.isEmpty()) return ".";
        boolean rooted = path.startsWith("/");
        List<String> out = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (!out.isEmpty() && !out.getLast().equals("..")) {
                    out.removeLast();
                } else if (!rooted) {
                    out.add("..");
                }
                continue;
            }
            out.add(part);
        }
        String joined = String.join("/", out);
        if (rooted) return "/" + joined;
        return joined.isEmpty() ? "." : joined;
    }

    /** {@code unsafePath} made relative to the root with {@code ..} clamped there: "" for the root. */
    static String clampedRelative(String unsafePath) {
        String c = clean("/" + unsafePath);
        return c.substring(1);
    }

    /**
     * Resolves {@code unsafePath} inside {@code root}, following symlinks inside the root; the
     * final component is followed only when {@code followFinal}. Returns the resolved path
     * relative to the root ("" for the root itself), whether or not it exists. {@code hidden}
     * says which root-relative paths do not exist for this resolution (ignored files): such a
     * component is reported as missing, returned with a null {@link Resolved#relPath()}.
     */
    static Resolved resolve(Path root, String unsafePath, boolean followFinal, Predicate<String> hidden) {
        Deque<String> todo = new ArrayDeque<>(List.of(clampedRelative(unsafePath).split("/")));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.removeFirst();
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (!done.isEmpty()) done.removeLast();
                continue;
            }
            done.add(part);
            String rel = String.join("/", done);
            if (hidden.test(rel)) return new Resolved(null, rel);
            Path host = root.resolve(rel);
            if (!Files.isSymbolicLink(host) || (todo.isEmpty() && !followFinal)) continue;
            if (++links > MAX_LINKS) return new Resolved(null, rel + " (too many levels of symbolic links)");
            String target = readLink(host);
            done.removeLast();
            if (target.startsWith("/")) done.clear();
            List<String> parts = List.of(target.split("/"));
            for (int i = parts.size() - 1; i >= 0; i--) todo.addFirst(parts.get(i));
        }
        return new Resolved(String.join("/", done), null);
    }

    /**
     * The outcome of {@link #resolve}.
     *
     * @param relPath the resolved root-relative path ("" for the root), null if a component was hidden
     * @param hiddenAt the root-relative path of the hidden component when relPath is null
     */
    record Resolved(String relPath, String hiddenAt) {}

    static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("reading symlink " + link, e);
        }
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}

package dev.kiln.layer;

import dev.kiln.oci.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves untrusted paths inside a root directory, as filepath-securejoin does: components are
 * walked one at a time, symlinks met on the way are followed as if {@code root} were "/" (an
 * absolute target starts again at root; ".." never climbs above it), so the result is always
 * inside {@code root}. Only what exists when it is called is followed: callers that then create
 * entries must resolve again after each change they make.
 */
public final class SafePath {
    private static final int MAX_LINKS = 255;

    private SafePath() {}

    /** {@code unsafePath} resolved inside {@code root}, every symlink on the way followed (the last one too). */
    public static Path resolve(Path root, String unsafePath) throws IOException {
        List<String> done = walk(root, new ArrayList<>(), split(unsafePath), unsafePath);
        return join(root, done);
    }

    /**
     * Resolves every component but the last, which is returned as named, not followed: what
     * creating, replacing or deleting an entry needs. The last component may not be "." or "..".
     */
    public static Path resolveParent(Path root, String unsafePath) throws IOException {
        List<String> parts = split(unsafePath);
        while (!parts.isEmpty() && parts.getLast().equals(".")) parts.removeLast();
        if (parts.isEmpty() || parts.getLast().equals("..")) {
            throw new InvalidInputException("'" + unsafePath + "' does not name an entry below the root");
        }
        String last = parts.removeLast();
        List<String> done = walk(root, new ArrayList<>(), parts, unsafePath);
        return join(root, done).resolve(last);
    }

    private static List<String> walk(Path root, List<String> done, List<String> parts, String unsafePath) throws IOException {
        Deque<String> todo = new ArrayDeque<>(parts);
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!done.isEmpty()) done.removeLast();
                continue;
            }
            Path next = join(root, done).resolve(c);
            if (Files.isSymbolicLink(next)) {
                if (++links > MAX_LINKS) {
                    throw new InvalidInputException("too many levels of symbolic links resolving '" + unsafePath + "'");
                }
                String target = Files.readSymbolicLink(next).toString();
                if (target.startsWith("/")) done.clear();
                List<String> t = split(target);
                for (int i = t.size() - 1; i >= 0; i--) todo.push(t.get(i));
                continue;
            }
            done.add(c);
        }
        return done;
    }

    static List<String> split(String p) {
        List<String> out = new ArrayList<>();
        for (String s : p.split("/")) if (!s.isEmpty()) out.add(s);
        return out;
    }

    private static Path join(Path root, List<String> parts) {
        Path p = root;
        for (String s : parts) p = p.resolve(s);
        return p;
    }

    /**
     * Cleans an archive entry name lexically: drops a leading "/" and "." components, applies
     * ".." — and refuses a name whose ".." would climb above the root. Returns "" for the root itself.
     */
    public static String clean(String unsafeName) {
        List<String> out = new ArrayList<>();
        for (String c : split(unsafeName)) {
            if (c.equals(".")) continue;
            if (c.equals("..")) {
                if (out.isEmpty()) {
                    throw new InvalidInputException("entry '" + unsafeName + "' climbs out of the root with '..'; refusing it");
                }
                out.removeLast();
                continue;
            }
            out.add(c);
        }
        return String.join("/", out);
    }
}

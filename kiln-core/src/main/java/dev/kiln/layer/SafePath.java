package dev.kiln.layer;

import dev.kiln.oci.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves untrusted paths inside a root as if the root were "/", the way
 * filepath-securejoin's {@code SecureJoin} does: one component at a time, following each symlink
 * met with its target re-rooted at {@code root}, ".." never climbing above it, at most
 * {@value #MAX_LINK_HOPS} link hops (Linux's MAXSYMLINKS). Components that do not exist are
 * appended as they are. The result is always {@code root} or below it.
 *
 * <p>Not race-free: a concurrent writer could swap a resolved directory for a symlink before the
 * caller uses the result. kiln applies layers to directories no one else writes to.
 */
public final class SafePath {
    private SafePath() {}

    static final int MAX_LINK_HOPS = 40;

    /** {@code unsafePath} resolved inside {@code root}, every component (the last too) followed. */
    public static Path resolve(Path root, String unsafePath) throws IOException {
        List<String> inside = new ArrayList<>();
        Deque<String> todo = new ArrayDeque<>();
        push(todo, unsafePath);
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!inside.isEmpty()) inside.removeLast();
                continue;
            }
            Path candidate = join(root, inside).resolve(c);
            if (!isSymlink(candidate)) {
                inside.add(c);
                continue;
            }
            if (++hops > MAX_LINK_HOPS) {
                throw new InvalidInputException("resolving " + unsafePath + " inside " + root
                        + ": too many levels of symbolic links (ELOOP)");
            }
            String target = Files.readSymbolicLink(candidate).toString();
            if (target.startsWith("/")) inside.clear();
            push(todo, target);
        }
        return join(root, inside);
    }

    /**
     * Resolves every component of {@code unsafePath} but the last, which is appended as it is and
     * never followed: the path an extracted entry is created at. A path whose last component is
     * "", "." or ".." has no name of its own and resolves as {@link #resolve} does.
     */
    public static Path resolveParent(Path root, String unsafePath) throws IOException {
        String p = unsafePath;
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        int slash = p.lastIndexOf('/');
        String last = p.substring(slash + 1);
        if (last.isEmpty() || last.equals(".") || last.equals("..")) return resolve(root, p);
        return resolve(root, slash < 0 ? "" : p.substring(0, slash)).resolve(last);
    }

    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) todo.push(parts[i]);
    }

    private static Path join(Path root, List<String> inside) {
        Path p = root;
        for (String c : inside) p = p.resolve(c);
        return p;
    }

    private static boolean isSymlink(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isSymbolicLink();
        } catch (IOException missingOrNotADirectory) {
            return false;
        }
    }

    /**
     * Creates the missing directories of {@code unsafePath} inside {@code root} (resolved as
     * {@link #resolve} does), each mode 0755 and owned by {@code uid:gid}; existing ones are left
     * as they are. Returns the directory.
     */
    public static Path mkdirs(Path root, String unsafePath, int uid, int gid) throws IOException {
        Path dir = resolve(root, unsafePath);
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; !p.equals(root) && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) missing.add(p);
        for (Path p : missing.reversed()) {
            Files.createDirectory(p);
            dev.kiln.linux.Linux.lchown(p, uid, gid);
            dev.kiln.linux.Linux.chmod(p, 0755);
        }
        return dir;
    }
}

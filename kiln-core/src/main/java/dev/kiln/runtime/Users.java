package dev.kiln.runtime;

import dev.kiln.layer.SafePath;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Resolves "USER[:GROUP]" (names or numeric ids) against a root filesystem's own /etc/passwd and
 * /etc/group, as Docker and buildah do. Those files are read through {@link SafePath}, so a
 * passwd that is a symlink pointing out of the rootfs is resolved inside it, never on the host.
 */
public final class Users {
    private static final long MAX_FILE = 16L << 20;

    private Users() {}

    /** A resolved user: uid, primary gid, supplementary gids, home directory (may be null). */
    public record User(int uid, int gid, List<Integer> groups, String home) {
        /**
         * The supplementary groups a process of this user gets: the primary gid first, then
         * {@link #groups()}, as buildah's run sets them (so {@code id} shows {@code groups=GID(..)}).
         */
        public List<Integer> processGroups() {
            List<Integer> out = new ArrayList<>(List.of(gid));
            for (int g : groups) if (!out.contains(g)) out.add(g);
            return List.copyOf(out);
        }
    }

    public static User resolve(Path rootfs, String unsafeSpec) {
        String spec = unsafeSpec == null || unsafeSpec.isEmpty() ? "0" : unsafeSpec;
        int colon = spec.indexOf(':');
        String userPart = colon < 0 ? spec : spec.substring(0, colon);
        String groupPart = colon < 0 ? null : spec.substring(colon + 1);
        List<String[]> passwd = read(rootfs, "/etc/passwd");
        Optional<String[]> entry = find(passwd, userPart, 2);
        int uid;
        int gid;
        String home = null;
        if (entry.isPresent()) {
            uid = Integer.parseInt(entry.get()[2]);
            gid = parseOr(entry.get()[3], 0);
            home = entry.get().length > 5 ? entry.get()[5] : null;
        } else if (isNumber(userPart)) {
            uid = Integer.parseInt(userPart);
            gid = 0;
        } else {
            throw new InvalidInputException("user '" + userPart + "' is not in the image's /etc/passwd (use a numeric uid, or add the user first)");
        }
        List<String[]> group = read(rootfs, "/etc/group");
        if (groupPart != null && !groupPart.isEmpty()) {
            Optional<String[]> g = find(group, groupPart, 2);
            if (g.isPresent()) {
                gid = Integer.parseInt(g.get()[2]);
            } else if (isNumber(groupPart)) {
                gid = Integer.parseInt(groupPart);
            } else {
                throw new InvalidInputException("group '" + groupPart + "' is not in the image's /etc/group (use a numeric gid)");
            }
        }
        List<Integer> groups = new ArrayList<>();
        String name = entry.map(e -> e[0]).orElse(null);
        if (name != null && groupPart == null) {
            for (String[] g : group) {
                if (g.length > 3 && List.of(g[3].split(",")).contains(name) && isNumber(g[2])) {
                    int id = Integer.parseInt(g[2]);
                    if (id != gid && !groups.contains(id)) groups.add(id);
                }
            }
        }
        return new User(uid, gid, List.copyOf(groups), home);
    }

    private static Optional<String[]> find(List<String[]> entries, String nameOrId, int idField) {
        for (String[] e : entries) if (e[0].equals(nameOrId)) return Optional.of(e);
        if (isNumber(nameOrId)) {
            for (String[] e : entries) if (e.length > idField && e[idField].equals(nameOrId)) return Optional.of(e);
        }
        return Optional.empty();
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.length() < 11 && s.chars().allMatch(Character::isDigit);
    }

    private static int parseOr(String s, int dflt) {
        return isNumber(s) ? Integer.parseInt(s) : dflt;
    }

    private static List<String[]> read(Path rootfs, String file) {
        List<String[]> out = new ArrayList<>();
        try {
            Path p = SafePath.resolve(rootfs, file);
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return out;
            if (Files.size(p) > MAX_FILE) throw new InvalidInputException(file + " in the image is over 16 MiB; refusing to read it");
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split(":", -1);
                if (f.length >= 3) out.add(f);
            }
            return out;
        } catch (IOException e) {
            throw new KilnException("reading " + file + " of the image: " + e.getMessage(), e);
        }
    }
}

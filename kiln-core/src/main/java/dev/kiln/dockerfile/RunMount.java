package dev.kiln.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * One {@code RUN --mount=...} option, parsed as BuildKit does: comma-separated fields (CSV, so a
 * field may be double-quoted), each {@code key=value} or a bare flag, the value of every field
 * expanded with the ARG/ENV environment of the RUN.
 *
 * @param type     bind (the default), cache, tmpfs, secret or ssh
 * @param target   the absolute path in the container ({@code target}, {@code dst}, {@code destination})
 * @param source   bind: the path in the build context or in {@code from} (null: its root); cache:
 *                 the path in {@code from} that seeds a new cache
 * @param from     a stage or image to take the bind source (or the cache seed) from; null: the context
 * @param readOnly {@code ro}/{@code readonly}, or not {@code rw}/{@code readwrite}; binds default to read-only
 * @param id       cache: its identity (null: the target)
 * @param sharing  cache: shared (default), private or locked
 * @param mode     cache: the new directory's mode (null: 0755)
 * @param uid      cache: the new directory's owner (null: 0)
 * @param gid      cache: the new directory's group (null: 0)
 * @param size     tmpfs: the size limit in bytes (0: the kernel's default)
 */
public record RunMount(Type type, String target, String source, String from, boolean readOnly, String id,
        Sharing sharing, Integer mode, Integer uid, Integer gid, long size) {

    public enum Type { BIND, CACHE, TMPFS, SECRET, SSH }

    public enum Sharing { SHARED, PRIVATE, LOCKED }

    /**
     * Parses {@code unsafeSpec} (what follows {@code --mount=}); {@code expand} expands one value.
     *
     * @throws DockerfileException (without a location) when a field or value is not understood
     */
    public static RunMount parse(String unsafeSpec, UnaryOperator<String> expand) {
        Type type = Type.BIND;
        String target = null, source = null, from = null, id = null;
        Boolean readOnly = null;
        Sharing sharing = Sharing.SHARED;
        Integer mode = null, uid = null, gid = null;
        long size = 0;
        for (String field : csv(unsafeSpec)) {
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : expand.apply(field.substring(eq + 1));
            switch (key) {
                case "type" -> type = type(required(key, value));
                case "target", "dst", "destination" -> target = required(key, value);
                case "source", "src" -> source = required(key, value);
                case "from" -> from = required(key, value);
                case "ro", "readonly" -> readOnly = value == null || bool(key, value);
                case "rw", "readwrite" -> readOnly = value != null && !bool(key, value);
                case "id" -> id = required(key, value);
                case "sharing" -> sharing = sharing(required(key, value));
                case "mode" -> mode = octal(required(key, value));
                case "uid" -> uid = number(key, required(key, value));
                case "gid" -> gid = number(key, required(key, value));
                case "size" -> size = bytes(required(key, value));
                case "required", "env" -> {
                    // secret/ssh fields: refused with the type below
                }
                default -> throw new DockerfileException("unexpected key '" + key + "' in --mount=" + unsafeSpec);
            }
        }
        if (target == null && type != Type.SECRET && type != Type.SSH) {
            throw new DockerfileException("--mount=" + unsafeSpec + ": a target is required");
        }
        boolean ro = readOnly != null ? readOnly : type == Type.BIND;
        return new RunMount(type, target, source, from, ro, id, sharing, mode, uid, gid, size);
    }

    /** The cache's identity: {@link #id()}, else the target. */
    public String cacheId() {
        return id != null && !id.isEmpty() ? id : target;
    }

    private static List<String> csv(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < s.length() && s.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quoted) throw new DockerfileException("--mount=" + s + ": unterminated quote");
        out.add(cur.toString());
        out.removeIf(String::isBlank);
        return out;
    }

    private static String required(String key, String value) {
        if (value == null || value.isEmpty()) throw new DockerfileException("--mount: " + key + " needs a value");
        return value;
    }

    private static Type type(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "bind" -> Type.BIND;
            case "cache" -> Type.CACHE;
            case "tmpfs" -> Type.TMPFS;
            case "secret" -> Type.SECRET;
            case "ssh" -> Type.SSH;
            default -> throw new DockerfileException("--mount: unknown type '" + v + "' (bind, cache, tmpfs, secret, ssh)");
        };
    }

    private static Sharing sharing(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "shared" -> Sharing.SHARED;
            case "private" -> Sharing.PRIVATE;
            case "locked" -> Sharing.LOCKED;
            default -> throw new DockerfileException("--mount: sharing must be shared, private or locked, got '" + v + "'");
        };
    }

    private static boolean bool(String key, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new DockerfileException("--mount: " + key + " must be true or false, got '" + v + "'");
        };
    }

    private static int octal(String v) {
        if (!v.matches("0?[0-7]{1,4}")) throw new DockerfileException("--mount: mode must be octal, such as 0755, got '" + v + "'");
        return Integer.parseInt(v, 8);
    }

    private static int number(String key, String v) {
        if (!v.matches("[0-9]{1,10}") || Long.parseLong(v) > Integer.MAX_VALUE) {
            throw new DockerfileException("--mount: " + key + " must be a number, got '" + v + "'");
        }
        return Integer.parseInt(v);
    }

    /** Bytes, with an optional binary unit as BuildKit reads them (64m, 1g, 512k). */
    private static long bytes(String v) {
        var m = java.util.regex.Pattern.compile("([0-9]{1,18})\\s*([kmgt]?)i?b?", java.util.regex.Pattern.CASE_INSENSITIVE)
                .matcher(v.strip());
        if (!m.matches()) throw new DockerfileException("--mount: size must be bytes, such as 65536 or 64m, got '" + v + "'");
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        long n = Long.parseLong(m.group(1));
        if (n > (Long.MAX_VALUE >> shift)) throw new DockerfileException("--mount: size '" + v + "' is too large");
        return n << shift;
    }
}

package dev.kiln.layer;

import dev.kiln.oci.InvalidInputException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads tar streams: ustar, PAX ('x' per entry, 'g' global), GNU long names ('L', 'K'), old
 * v7/GNU headers, base-256 numbers. PAX values are kept as raw bytes, so binary xattrs
 * ({@code SCHILY.xattr.NAME}, or base64 {@code LIBARCHIVE.xattr.NAME}) survive. The header
 * checksum is verified. A truncated or corrupt stream throws {@link InvalidInputException}.
 */
public final class TarReader {
    private static final int BLOCK = 512;
    private static final long MAX_META = 16L << 20;

    private final InputStream in;
    private final Map<String, byte[]> globalPax = new HashMap<>();
    private long remaining;
    private long padding;
    private String currentName = "";
    private final InputStream content = new EntryStream();

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. Unread content of the previous entry is skipped. */
    public TarEntry next() throws IOException {
        skipRest();
        Map<String, byte[]> pax = new HashMap<>(globalPax);
        String longName = null;
        String longLink = null;
        while (true) {
            byte[] h = new byte[BLOCK];
            int n = in.readNBytes(h, 0, BLOCK);
            if (n == 0) return null; // ended at a header boundary without the zero blocks: GNU tar accepts it
            if (n < BLOCK) throw truncated("a header", n, BLOCK);
            if (isZero(h)) return null;
            verifyChecksum(h);
            char type = (char) h[156];
            long size = number(h, 124, 12, "size");
            switch (type) {
                case 'x' -> pax.putAll(parsePax(readMeta(size, "PAX header")));
                case 'g' -> {
                    Map<String, byte[]> g = parsePax(readMeta(size, "global PAX header"));
                    globalPax.putAll(g);
                    pax.putAll(g);
                }
                case 'L' -> longName = cString(readMeta(size, "GNU long name"));
                case 'K' -> longLink = cString(readMeta(size, "GNU long link"));
                default -> {
                    return entry(h, type, size, pax, longName, longLink);
                }
            }
        }
    }

    /** The current FILE entry's content; reading past its size returns -1. */
    public InputStream content() {
        return content;
    }

    private TarEntry entry(byte[] h, char type, long headerSize, Map<String, byte[]> pax, String longName, String longLink) {
        String name = longName != null ? longName : headerName(h);
        if (pax.containsKey("path")) name = utf8(pax.get("path"));
        String link = longLink != null ? longLink : string(h, 157, 100);
        if (pax.containsKey("linkpath")) link = utf8(pax.get("linkpath"));
        long size = pax.containsKey("size") ? parseLong(utf8(pax.get("size")), "size") : headerSize;
        int uid = pax.containsKey("uid") ? (int) parseLong(utf8(pax.get("uid")), "uid") : (int) number(h, 108, 8, "uid");
        int gid = pax.containsKey("gid") ? (int) parseLong(utf8(pax.get("gid")), "gid") : (int) number(h, 116, 8, "gid");
        String uname = pax.containsKey("uname") ? utf8(pax.get("uname")) : string(h, 265, 32);
        String gname = pax.containsKey("gname") ? utf8(pax.get("gname")) : string(h, 297, 32);
        long mtimeNanos = pax.containsKey("mtime") ? paxTime(utf8(pax.get("mtime"))) : number(h, 136, 12, "mtime") * 1_000_000_000L;
        int mode = (int) (number(h, 100, 8, "mode") & 07777);
        TarEntry.Type t = switch (type) {
            case '0', '\0', '7' -> name.endsWith("/") ? TarEntry.Type.DIR : TarEntry.Type.FILE;
            case '1' -> TarEntry.Type.HARDLINK;
            case '2' -> TarEntry.Type.SYMLINK;
            case '3' -> TarEntry.Type.CHAR;
            case '4' -> TarEntry.Type.BLOCK;
            case '5' -> TarEntry.Type.DIR;
            case '6' -> TarEntry.Type.FIFO;
            default -> throw new InvalidInputException("tar entry '" + name + "' has unsupported type '" + type + "'");
        };
        boolean isUstar = h[257] == 'u' && h[258] == 's' && h[259] == 't';
        int major = isUstar && (t == TarEntry.Type.CHAR || t == TarEntry.Type.BLOCK) ? (int) number(h, 329, 8, "devmajor") : 0;
        int minor = isUstar && (t == TarEntry.Type.CHAR || t == TarEntry.Type.BLOCK) ? (int) number(h, 337, 8, "devminor") : 0;
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        for (var e : pax.entrySet()) {
            if (e.getKey().startsWith("SCHILY.xattr.")) {
                xattrs.put(e.getKey().substring("SCHILY.xattr.".length()), e.getValue());
            } else if (e.getKey().startsWith("LIBARCHIVE.xattr.")) {
                xattrs.put(e.getKey().substring("LIBARCHIVE.xattr.".length()), Base64.getDecoder().decode(utf8(e.getValue()).strip()));
            }
        }
        String clean = stripName(name);
        // Only regular files carry content; bytes any other entry declares are skipped by next().
        long dataSize = t == TarEntry.Type.FILE ? size : 0;
        remaining = size;
        padding = (BLOCK - size % BLOCK) % BLOCK;
        currentName = clean;
        if (size < 0) throw new InvalidInputException("tar entry '" + clean + "' has a negative size");
        return new TarEntry(clean, t, mode, uid, gid, uname, gname, dataSize, mtimeNanos, link, major, minor, xattrs);
    }

    private static String stripName(String name) {
        String n = name;
        while (n.startsWith("./")) n = n.substring(2);
        while (n.length() > 1 && n.endsWith("/")) n = n.substring(0, n.length() - 1);
        if (n.equals(".")) n = "";
        return n;
    }

    private static String headerName(byte[] h) {
        String name = string(h, 0, 100);
        boolean ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r';
        if (ustar && h[262] == 0) {
            String prefix = string(h, 345, 155);
            if (!prefix.isEmpty()) name = prefix + "/" + name;
        }
        return name;
    }

    private byte[] readMeta(long size, String what) throws IOException {
        if (size < 0 || size > MAX_META) throw new InvalidInputException("tar " + what + " of " + size + " bytes is too large");
        byte[] b = in.readNBytes((int) size);
        if (b.length < size) throw truncated(what, b.length, size);
        long pad = (BLOCK - size % BLOCK) % BLOCK;
        if (in.readNBytes((int) pad).length < pad) throw truncated(what, b.length, size + pad);
        return b;
    }

    static Map<String, byte[]> parsePax(byte[] b) {
        Map<String, byte[]> out = new HashMap<>();
        int pos = 0;
        while (pos < b.length) {
            int sp = pos;
            while (sp < b.length && b[sp] != ' ') sp++;
            if (sp >= b.length) break;
            int len;
            try {
                len = Integer.parseInt(new String(b, pos, sp - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new InvalidInputException("malformed PAX record length in tar header");
            }
            if (len <= sp - pos || pos + len > b.length || b[pos + len - 1] != '\n') {
                throw new InvalidInputException("malformed PAX record in tar header");
            }
            int eq = sp + 1;
            while (eq < pos + len && b[eq] != '=') eq++;
            if (eq >= pos + len) throw new InvalidInputException("malformed PAX record in tar header (no '=')");
            String key = new String(b, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            byte[] value = java.util.Arrays.copyOfRange(b, eq + 1, pos + len - 1);
            out.put(key, value);
            pos += len;
        }
        return out;
    }

    /** Reads (never skip()s) what is left of the entry: a caller hashing the stream must see every byte. */
    private void skipRest() throws IOException {
        long toSkip = remaining + padding;
        remaining = 0;
        padding = 0;
        byte[] scratch = toSkip > 0 ? new byte[(int) Math.min(toSkip, 1 << 16)] : null;
        while (toSkip > 0) {
            int n = in.read(scratch, 0, (int) Math.min(toSkip, scratch.length));
            if (n < 0) throw truncated("entry '" + currentName + "'", 0, toSkip);
            toSkip -= n;
        }
    }

    private InvalidInputException truncated(String what, long got, long want) {
        return new InvalidInputException("truncated tar: " + what + " ends after " + got + " of " + want + " bytes");
    }

    private static boolean isZero(byte[] h) {
        for (byte b : h) if (b != 0) return false;
        return true;
    }

    private static void verifyChecksum(byte[] h) {
        long stored = number(h, 148, 8, "checksum");
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = (i >= 148 && i < 156) ? ' ' : h[i];
            unsigned += b & 0xff;
            signed += (i >= 148 && i < 156) ? ' ' : h[i];
        }
        if (stored != unsigned && stored != signed) {
            throw new InvalidInputException("corrupt tar: header checksum mismatch for entry '" + string(h, 0, 100) + "'");
        }
    }

    static long number(byte[] h, int off, int len, String field) {
        if ((h[off] & 0x80) != 0) { // base-256 (GNU)
            long v = h[off] & 0x3f;
            if ((h[off] & 0x40) != 0) throw new InvalidInputException("tar header has a negative " + field);
            for (int i = 1; i < len; i++) v = (v << 8) | (h[off + i] & 0xff);
            return v;
        }
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && (h[i] == ' ' || h[i] == 0)) i++;
        for (; i < end && h[i] != 0 && h[i] != ' '; i++) {
            if (h[i] < '0' || h[i] > '7') throw new InvalidInputException("corrupt tar: bad octal " + field + " in header");
            v = (v << 3) | (h[i] - '0');
        }
        return v;
    }

    private static String string(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) end++;
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    private static String cString(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) end++;
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static long parseLong(String s, String field) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("malformed PAX " + field + " '" + s + "' in tar header");
        }
    }

    private static long paxTime(String s) {
        try {
            return new java.math.BigDecimal(s.strip()).movePointRight(9).longValue();
        } catch (NumberFormatException e) {
            throw new InvalidInputException("malformed PAX mtime '" + s + "' in tar header");
        }
    }

    /** The current entry's content, bounded by its size; truncation is an error, not a short read. */
    private final class EntryStream extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) throw new InvalidInputException("truncated tar: entry '" + currentName + "' is missing its last "
                    + remaining + " bytes", new EOFException());
            remaining -= n;
            return n;
        }
    }
}

package dev.kiln.layer;

import dev.kiln.oci.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads tar streams (ustar, PAX, GNU long names); see {@link TarEntry}. A truncated or corrupt
 * stream throws {@link dev.kiln.oci.InvalidInputException}.
 *
 * <p>Understands ustar and old GNU/v7 headers, PAX 'x' and 'g' records (path, linkpath, size,
 * uid, gid, uname, gname, mtime, SCHILY.xattr.* as raw bytes, LIBARCHIVE.xattr.* as base64),
 * GNU 'L'/'K' long names and base-256 numbers. As GNU tar does, a stream that ends at a header
 * boundary without the two zero blocks is accepted. Names lose a leading "./" and trailing "/";
 * a leading "/" or ".." is kept for the applier to judge.
 */
public final class TarReader {
    private static final int BLOCK = 512;
    /** Bound on PAX and GNU long-name records held in memory: they are headers, not content. */
    private static final long MAX_META = 1 << 20;

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    private final Map<String, byte[]> globalPax = new HashMap<>();
    private String currentName = "";
    private long contentSize;
    private long contentLeft;
    private long padding;
    private boolean ended;

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. Unread content of the previous entry is skipped. */
    public TarEntry next() throws IOException {
        if (ended) return null;
        skipRest();
        Map<String, byte[]> pax = new HashMap<>();
        String longName = null, longLink = null;
        while (true) {
            if (!readHeader()) {
                ended = true;
                return null;
            }
            char type = (char) (header[156] & 0xff);
            long size = number(124, 12, "size");
            switch (type) {
                case 'x' -> pax.putAll(parsePax(readMeta(size, "PAX header")));
                case 'g' -> globalPax.putAll(parsePax(readMeta(size, "PAX global header")));
                case 'L' -> longName = cString(readMeta(size, "GNU long name"));
                case 'K' -> longLink = cString(readMeta(size, "GNU long link"));
                default -> {
                    return entry(type, size, pax, longName, longLink);
                }
            }
        }
    }

    /** The current FILE entry's content; reading past its size returns -1. */
    public InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                if (contentLeft == 0) return -1;
                int n = in.read(b, off, (int) Math.min(len, contentLeft));
                if (n < 0) throw truncated(currentName, contentSize - contentLeft, contentSize);
                contentLeft -= n;
                return n;
            }
        };
    }

    private TarEntry entry(char type, long rawSize, Map<String, byte[]> localPax, String longName, String longLink)
            throws IOException {
        Map<String, byte[]> pax = new HashMap<>(globalPax);
        pax.putAll(localPax);
        String name = longName != null ? longName : headerName();
        String link = longLink != null ? longLink : string(157, 100);
        if (pax.containsKey("path")) name = utf8(pax.get("path"));
        if (pax.containsKey("linkpath")) link = utf8(pax.get("linkpath"));
        long size = pax.containsKey("size") ? paxLong(pax, "size") : rawSize;
        TarEntry.Type t = type(type, name);
        name = cleanName(name);
        currentName = name;
        // As Go's archive/tar: header-only types carry no content whatever their size field says.
        contentSize = t == TarEntry.Type.FILE ? size : 0;
        contentLeft = contentSize;
        padding = (BLOCK - contentSize % BLOCK) % BLOCK;
        int uid = pax.containsKey("uid") ? (int) paxLong(pax, "uid") : (int) number(108, 8, "uid");
        int gid = pax.containsKey("gid") ? (int) paxLong(pax, "gid") : (int) number(116, 8, "gid");
        String uname = pax.containsKey("uname") ? utf8(pax.get("uname")) : string(265, 32);
        String gname = pax.containsKey("gname") ? utf8(pax.get("gname")) : string(297, 32);
        long mtime = pax.containsKey("mtime") ? paxTime(utf8(pax.get("mtime"))) : number(136, 12, "mtime") * 1_000_000_000L;
        boolean dev = t == TarEntry.Type.CHAR || t == TarEntry.Type.BLOCK;
        int major = dev ? (int) number(329, 8, "devmajor") : 0;
        int minor = dev ? (int) number(337, 8, "devminor") : 0;
        return new TarEntry(name, t, (int) (number(100, 8, "mode") & 07777), uid, gid, uname, gname, contentSize,
                mtime, link, major, minor, xattrs(pax));
    }

    private TarEntry.Type type(char type, String name) {
        return switch (type) {
            case '0', '7' -> TarEntry.Type.FILE;
            // v7 archives mark directories only by a trailing slash.
            case '\0' -> name.endsWith("/") ? TarEntry.Type.DIR : TarEntry.Type.FILE;
            case '1' -> TarEntry.Type.HARDLINK;
            case '2' -> TarEntry.Type.SYMLINK;
            case '3' -> TarEntry.Type.CHAR;
            case '4' -> TarEntry.Type.BLOCK;
            case '5' -> TarEntry.Type.DIR;
            case '6' -> TarEntry.Type.FIFO;
            default -> throw new InvalidInputException(
                    "reading tar: entry " + name + " has unsupported type '" + printable(type) + "'");
        };
    }

    /** Strips trailing "/" and leading "./" (GNU tar's "./" root entry becomes "."). */
    static String cleanName(String name) {
        String n = name;
        while (n.length() > 1 && n.endsWith("/")) n = n.substring(0, n.length() - 1);
        while (n.startsWith("./") && n.length() > 2) n = n.substring(2);
        if (n.equals("./")) n = ".";
        return n;
    }

    private static Map<String, byte[]> xattrs(Map<String, byte[]> pax) {
        Map<String, byte[]> x = new LinkedHashMap<>();
        for (var e : new java.util.TreeMap<>(pax).entrySet()) {
            String k = e.getKey();
            if (k.startsWith("SCHILY.xattr.")) {
                x.put(k.substring("SCHILY.xattr.".length()), e.getValue());
            } else if (k.startsWith("LIBARCHIVE.xattr.")) {
                // libarchive percent-encodes the name and base64-encodes the value (unpadded).
                String name = URLDecoder.decode(k.substring("LIBARCHIVE.xattr.".length()), StandardCharsets.UTF_8);
                try {
                    x.put(name, Base64.getDecoder().decode(utf8(e.getValue()).trim()));
                } catch (IllegalArgumentException bad) {
                    throw new InvalidInputException("reading tar: bad base64 in PAX record " + k, bad);
                }
            }
        }
        return x;
    }

    /** Reads one 512-byte header; false at the end of the archive. */
    private boolean readHeader() throws IOException {
        int n = readFully(header, 0, BLOCK);
        if (n == 0) return false;
        if (n < BLOCK) throw new InvalidInputException("reading tar: truncated tar: header " + where()
                + " ends after " + n + " of " + BLOCK + " bytes");
        if (allZero(header)) return false;
        verifyChecksum();
        return true;
    }

    private void verifyChecksum() {
        long stored;
        try {
            stored = number(148, 8, "checksum");
        } catch (InvalidInputException e) {
            throw new InvalidInputException("reading tar: corrupt header " + where()
                    + " (unparsable checksum field): not a tar archive or corrupt", e);
        }
        long unsigned = 0, signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            byte b = (i >= 148 && i < 156) ? (byte) ' ' : header[i];
            unsigned += b & 0xff;
            signed += b;
        }
        // Some old tars summed signed bytes; GNU tar accepts either.
        if (stored != unsigned && stored != signed) {
            throw new InvalidInputException("reading tar: bad header checksum " + where()
                    + " (stored " + stored + ", computed " + unsigned + "): corrupt archive");
        }
    }

    private byte[] readMeta(long size, String what) throws IOException {
        if (size < 0 || size > MAX_META) {
            throw new InvalidInputException("reading tar: " + what + " of " + size + " bytes is too large");
        }
        byte[] b = new byte[(int) size];
        int n = readFully(b, 0, b.length);
        if (n < size || !skipExactly((BLOCK - size % BLOCK) % BLOCK)) throw truncated(what + " " + where(), n, size);
        return b;
    }

    private void skipRest() throws IOException {
        // read, not skip: FileInputStream.skip happily skips past the end and hides truncation.
        byte[] buf = new byte[8192];
        while (contentLeft > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, contentLeft));
            if (n < 0) throw truncated(currentName, contentSize - contentLeft, contentSize);
            contentLeft -= n;
        }
        // A stream cut inside the padding after complete content lost nothing: treat as the end.
        if (!skipExactly(padding)) ended = true;
        padding = 0;
    }

    /** False when the stream ended first. */
    private boolean skipExactly(long count) throws IOException {
        byte[] buf = new byte[BLOCK];
        long left = count;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) return false;
            left -= n;
        }
        return true;
    }

    private String where() {
        return currentName.isEmpty() ? "at the start of the archive" : "after entry " + currentName;
    }

    private static InvalidInputException truncated(String name, long got, long want) {
        return new InvalidInputException(
                "reading tar: truncated tar: entry " + name + " ends after " + got + " of " + want + " bytes");
    }

    private int readFully(byte[] b, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int n = in.read(b, off + total, len - total);
            if (n < 0) break;
            total += n;
        }
        return total;
    }

    /** Octal (NUL/space padded) or GNU base-256 (high bit of the first byte set). */
    private long number(int off, int len, String field) {
        if ((header[off] & 0x80) != 0) {
            long v = header[off] & 0x7f;
            if ((header[off] & 0x40) != 0) v |= ~0x7fL; // negative, two's complement
            for (int i = 1; i < len; i++) {
                if (((v >>> 55) != 0) && ((v >> 55) != -1)) throw badNumber(field);
                v = (v << 8) | (header[off + i] & 0xff);
            }
            return v;
        }
        long v = 0;
        int i = off, end = off + len;
        while (i < end && (header[i] == ' ' || header[i] == 0)) i++;
        for (; i < end && header[i] != ' ' && header[i] != 0; i++) {
            int d = header[i] - '0';
            if (d < 0 || d > 7 || v > (Long.MAX_VALUE >> 3)) throw badNumber(field);
            v = (v << 3) | d;
        }
        return v;
    }

    private InvalidInputException badNumber(String field) {
        return new InvalidInputException("reading tar: header " + where()
                + " has a malformed " + field + " field");
    }

    private String headerName() {
        String name = string(0, 100);
        boolean posixUstar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
                && header[261] == 'r' && header[262] == 0;
        // Only POSIX ustar has a prefix field; old GNU puts atime/ctime there.
        if (posixUstar && header[345] != 0) name = string(345, 155) + "/" + name;
        return name;
    }

    private String string(int off, int len) {
        int end = off;
        while (end < off + len && header[end] != 0) end++;
        return new String(header, off, end - off, StandardCharsets.UTF_8);
    }

    private static String cString(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) end++;
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** PAX records "LEN KEY=VALUE\n"; values are kept as raw bytes (binary xattrs). */
    private static Map<String, byte[]> parsePax(byte[] data) {
        Map<String, byte[]> out = new HashMap<>();
        int pos = 0;
        while (pos < data.length) {
            if (data[pos] == 0) break; // some writers pad with NULs
            int sp = pos;
            long len = 0;
            while (sp < data.length && data[sp] >= '0' && data[sp] <= '9' && len < Integer.MAX_VALUE) {
                len = len * 10 + (data[sp] - '0');
                sp++;
            }
            if (sp >= data.length || data[sp] != ' ' || len <= sp - pos || pos + len > data.length
                    || data[(int) (pos + len - 1)] != '\n') {
                throw new InvalidInputException("reading tar: malformed PAX record at offset " + pos);
            }
            int end = (int) (pos + len - 1);
            int eq = sp + 1;
            while (eq < end && data[eq] != '=') eq++;
            if (eq >= end) throw new InvalidInputException("reading tar: PAX record without '=' at offset " + pos);
            String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            byte[] value = java.util.Arrays.copyOfRange(data, eq + 1, end);
            out.put(key, value);
            pos = (int) (pos + len);
        }
        return out;
    }

    private static long paxLong(Map<String, byte[]> pax, String key) {
        try {
            return Long.parseLong(utf8(pax.get(key)).trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("reading tar: PAX " + key + " is not a number", e);
        }
    }

    /** "SECONDS[.FRACTION]", possibly negative, to nanoseconds. */
    static long paxTime(String v) {
        try {
            String s = v.trim();
            boolean neg = s.startsWith("-");
            if (neg) s = s.substring(1);
            int dot = s.indexOf('.');
            long sec = Long.parseLong(dot < 0 ? s : s.substring(0, dot));
            long nanos = 0;
            if (dot >= 0) {
                String frac = (s.substring(dot + 1) + "000000000").substring(0, 9);
                nanos = Long.parseLong(frac);
            }
            long total = Math.addExact(Math.multiplyExact(sec, 1_000_000_000L), nanos);
            return neg ? -total : total;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new InvalidInputException("reading tar: PAX mtime '" + v + "' is malformed", e);
        }
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private static String printable(char c) {
        return c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02x", (int) c);
    }
}

package dev.kiln.layer;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes POSIX (PAX) tar streams; see {@link TarEntry}. Each entry is a ustar header, preceded by
 * a PAX extended header ('x') only when a value does not fit ustar (POSIX.1-2008 pax, "pax
 * Extended Header"): long or non-ASCII names and link names, ids above 07777777, sizes of 8 GiB
 * and more, long user and group names, and xattrs ({@code SCHILY.xattr.NAME}, raw bytes). Times
 * are whole seconds, as buildah writes them. File content is streamed, never buffered.
 */
public final class TarWriter implements Closeable {
    static final int BLOCK = 512;
    private static final long MAX_OCTAL_7 = 07777777L;
    private static final long MAX_OCTAL_11 = 077777777777L;
    private static final byte[] ZEROS = new byte[BLOCK];

    private final OutputStream out;
    private boolean finished;
    private final byte[] copyBuffer = new byte[64 * 1024];

    public TarWriter(OutputStream out) {
        this.out = new BufferedOutputStream(out, 64 * 1024);
    }

    /** Writes a header and, for FILE entries, exactly {@code entry.size()} bytes from {@code content}. */
    public void write(TarEntry entry, InputStream content) throws IOException {
        if (finished) throw new IllegalStateException("tar stream already finished");
        String name = entry.type() == TarEntry.Type.DIR && !entry.name().endsWith("/") ? entry.name() + "/" : entry.name();
        long size = entry.type() == TarEntry.Type.FILE ? entry.size() : 0;
        Map<String, byte[]> pax = new TreeMap<>();
        byte[] header = ustarHeader(entry, name, size, pax);
        if (!pax.isEmpty()) writePaxHeader(name, entry, pax);
        out.write(header);
        if (size > 0) copyContent(entry.name(), content, size);
    }

    /** Writes the end-of-archive blocks; does not close the underlying stream. */
    public void finish() throws IOException {
        if (finished) return;
        finished = true;
        out.write(ZEROS);
        out.write(ZEROS);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        finish();
    }

    private byte[] ustarHeader(TarEntry e, String name, long size, Map<String, byte[]> pax) {
        byte[] h = new byte[BLOCK];
        putName(h, name, pax);
        putOctal(h, 100, 8, e.mode() & 07777);
        putId(h, 108, e.uid(), "uid", pax);
        putId(h, 116, e.gid(), "gid", pax);
        if (size > MAX_OCTAL_11) {
            pax.put("size", ascii(Long.toString(size)));
            putOctal(h, 124, 12, 0);
        } else {
            putOctal(h, 124, 12, size);
        }
        long seconds = Math.floorDiv(e.mtimeNanos(), 1_000_000_000L);
        if (seconds < 0 || seconds > MAX_OCTAL_11) {
            pax.put("mtime", ascii(Long.toString(seconds)));
            putOctal(h, 136, 12, 0);
        } else {
            putOctal(h, 136, 12, seconds);
        }
        h[156] = typeFlag(e.type());
        putString(h, 157, 100, e.linkName(), "linkpath", pax);
        System.arraycopy(ascii("ustar\0"), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        putString(h, 265, 32, e.uname(), "uname", pax);
        putString(h, 297, 32, e.gname(), "gname", pax);
        if (e.type() == TarEntry.Type.CHAR || e.type() == TarEntry.Type.BLOCK) {
            putDevice(h, 329, e.devMajor(), e.name());
            putDevice(h, 337, e.devMinor(), e.name());
        }
        for (Map.Entry<String, byte[]> x : new TreeMap<>(e.xattrs()).entrySet()) {
            pax.put("SCHILY.xattr." + x.getKey(), x.getValue());
        }
        putChecksum(h);
        return h;
    }

    /** ustar name, or prefix + "/" + name (ustar splits at a slash), or a PAX "path" record. */
    private static void putName(byte[] h, String name, Map<String, byte[]> pax) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (isAscii(name)) {
            if (b.length <= 100) {
                System.arraycopy(b, 0, h, 0, b.length);
                return;
            }
            int split = splitPoint(b);
            if (split > 0) {
                System.arraycopy(b, 0, h, 345, split);
                System.arraycopy(b, split + 1, h, 0, b.length - split - 1);
                return;
            }
        }
        pax.put("path", b);
        byte[] fallback = asciiFallback(name);
        System.arraycopy(fallback, 0, h, 0, Math.min(100, fallback.length));
    }

    /** The slash to split at so the prefix fits 155 bytes and the rest 1..100; -1 if none. */
    private static int splitPoint(byte[] b) {
        int limit = Math.min(155, b.length - 2);
        for (int i = limit; i > 0; i--) {
            if (b[i] == '/') return b.length - i - 1 <= 100 ? i : -1;
        }
        return -1;
    }

    private static void putId(byte[] h, int off, int id, String key, Map<String, byte[]> pax) {
        long v = Integer.toUnsignedLong(id);
        if (v > MAX_OCTAL_7) {
            pax.put(key, ascii(Long.toString(v)));
            v = 0;
        }
        putOctal(h, off, 8, v);
    }

    private static void putString(byte[] h, int off, int len, String s, String key, Map<String, byte[]> pax) {
        if (s == null || s.isEmpty()) return;
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (!isAscii(s) || b.length > len) {
            pax.put(key, b);
            b = asciiFallback(s);
        }
        System.arraycopy(b, 0, h, off, Math.min(len, b.length));
    }

    private static void putDevice(byte[] h, int off, int number, String name) {
        long v = Integer.toUnsignedLong(number);
        if (v > MAX_OCTAL_7) {
            throw new IllegalArgumentException("device number " + v + " of " + name + " does not fit a tar header");
        }
        putOctal(h, off, 8, v);
    }

    /** {@code len - 1} zero-padded octal digits and a NUL. */
    private static void putOctal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > len - 1) throw new IllegalArgumentException("value " + value + " does not fit " + len + " bytes");
        int pad = len - 1 - s.length();
        for (int i = 0; i < pad; i++) h[off + i] = '0';
        for (int i = 0; i < s.length(); i++) h[off + pad + i] = (byte) s.charAt(i);
        h[off + len - 1] = 0;
    }

    /** ustar: the unsigned byte sum with the checksum field as spaces; six octal digits, NUL, space. */
    private static void putChecksum(byte[] h) {
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        putOctal(h, 148, 7, sum);
        h[155] = ' ';
    }

    private static byte typeFlag(TarEntry.Type type) {
        return switch (type) {
            case FILE -> '0';
            case HARDLINK -> '1';
            case SYMLINK -> '2';
            case CHAR -> '3';
            case BLOCK -> '4';
            case DIR -> '5';
            case FIFO -> '6';
        };
    }

    /** An 'x' header named like Go's archive/tar names it, then the records, padded. */
    private void writePaxHeader(String name, TarEntry e, Map<String, byte[]> pax) throws IOException {
        byte[] records = paxRecords(pax);
        String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        int slash = trimmed.lastIndexOf('/');
        String paxName = (slash < 0 ? "" : trimmed.substring(0, slash + 1)) + "PaxHeaders.0/" + trimmed.substring(slash + 1);
        byte[] h = new byte[BLOCK];
        byte[] n = asciiFallback(paxName);
        System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
        putOctal(h, 100, 8, 0644);
        putOctal(h, 108, 8, 0);
        putOctal(h, 116, 8, 0);
        putOctal(h, 124, 12, records.length);
        putOctal(h, 136, 12, Math.clamp(Math.floorDiv(e.mtimeNanos(), 1_000_000_000L), 0, MAX_OCTAL_11));
        h[156] = 'x';
        System.arraycopy(ascii("ustar\0"), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        putChecksum(h);
        out.write(h);
        out.write(records);
        pad(records.length);
    }

    /** "LEN KEY=VALUE\n" where LEN counts the bytes of the whole record, itself included. */
    static byte[] paxRecords(Map<String, byte[]> pax) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : pax.entrySet()) {
            byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
            int rest = 1 + key.length + 1 + r.getValue().length + 1;
            int len = rest + Integer.toString(rest).length();
            if (Integer.toString(len).length() + rest != len) len = rest + Integer.toString(len).length();
            buf.writeBytes(ascii(Integer.toString(len)));
            buf.write(' ');
            buf.writeBytes(key);
            buf.write('=');
            buf.writeBytes(r.getValue());
            buf.write('\n');
        }
        return buf.toByteArray();
    }

    private void copyContent(String name, InputStream content, long size) throws IOException {
        byte[] buf = copyBuffer; // one for the stream: a new 64 KiB per file was a third of W6's CPU (issue 7)
        long left = size;
        while (left > 0) {
            int n = content.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("writing " + name + " to a tar stream: content ended " + left
                        + " bytes short of the " + size + " announced (was the file changed while being read?)");
            }
            out.write(buf, 0, n);
            left -= n;
        }
        pad(size);
    }

    private void pad(long written) throws IOException {
        int rem = (int) (written % BLOCK);
        if (rem != 0) out.write(ZEROS, 0, BLOCK - rem);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0 || c > 0x7f) return false;
        }
        return true;
    }

    private static byte[] asciiFallback(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c == 0 || c > 0x7f ? '_' : c);
        }
        return ascii(b.toString());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}

package dev.kiln.dockerfile;

import dev.kiln.oci.InvalidInputException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Unpacks a build-context tarball (ustar, PAX and GNU long names; plain or gzip) into a
 * directory with the JDK only: {@code dev.kiln.dockerfile} may not use the layer package. Every
 * entry name is clamped at the root and its parent resolved inside it, so a hostile tarball
 * cannot write outside the directory. Regular files, directories, symlinks and hardlinks are
 * unpacked with their permission bits and mtimes; ownership, setuid/setgid/sticky bits,
 * devices and fifos are not (a context is copied as root-owned anyway).
 */
final class ContextTar {
    private static final int BLOCK = 512;

    private ContextTar() {}

    private record Header(String name, int mode, long size, long mtime, char type, String link) {}

    static void unpack(InputStream raw, Path root, String what) {
        try {
            Files.createDirectories(root);
            InputStream in = decompressed(new BufferedInputStream(raw), what);
            new ContextTar.Unpacker(root.toRealPath(), what).run(in);
        } catch (IOException e) {
            throw new InvalidInputException("unpacking build context " + what + ": " + e.getMessage(), e);
        }
    }

    private static InputStream decompressed(BufferedInputStream in, String what) throws IOException {
        in.mark(8);
        byte[] magic = in.readNBytes(6);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) return new GZIPInputStream(in, 64 * 1024);
        String kind = null;
        if (magic.length >= 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) kind = "zstd";
        if (magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') kind = "bzip2";
        if (magic.length >= 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X') kind = "xz";
        if (kind != null) {
            throw new InvalidInputException("build context " + what + " is compressed with " + kind
                    + ", which kiln does not unpack yet: decompress it first or use a plain or gzip tarball");
        }
        return in;
    }

    private static final class Unpacker {
        private final Path root;
        private final String what;
        private final List<Path> dirs = new ArrayList<>();
        private final List<Long> dirTimes = new ArrayList<>();

        Unpacker(Path root, String what) {
            this.root = root;
            this.what = what;
        }

        void run(InputStream in) throws IOException {
            String longName = null;
            String longLink = null;
            String paxPath = null;
            String paxLink = null;
            while (true) {
                byte[] block = in.readNBytes(BLOCK);
                if (block.length == 0) break;
                if (block.length < BLOCK) throw new EOFException("truncated tar header");
                if (isZero(block)) break;
                Header h = header(block);
                switch (h.type()) {
                    case 'L' -> { longName = cString(body(in, h.size())); continue; }
                    case 'K' -> { longLink = cString(body(in, h.size())); continue; }
                    case 'x' -> {
                        String[] pl = pax(body(in, h.size()));
                        paxPath = pl[0];
                        paxLink = pl[1];
                        continue;
                    }
                    case 'g' -> { body(in, h.size()); continue; }
                    default -> { }
                }
                String name = paxPath != null ? paxPath : longName != null ? longName : h.name();
                String link = paxLink != null ? paxLink : longLink != null ? longLink : h.link();
                longName = longLink = paxPath = paxLink = null;
                extract(in, new Header(name, h.mode(), h.size(), h.mtime(), h.type(), link));
            }
            for (int i = dirs.size() - 1; i >= 0; i--) Files.setLastModifiedTime(dirs.get(i), FileTime.from(dirTimes.get(i), java.util.concurrent.TimeUnit.SECONDS));
        }

        private void extract(InputStream in, Header h) throws IOException {
            String rel = ContextPaths.clampedRelative(h.name());
            if (rel.isEmpty()) {
                skip(in, h.size());
                return;
            }
            int slash = rel.lastIndexOf('/');
            String parentRel = slash < 0 ? "" : rel.substring(0, slash);
            ContextPaths.Resolved parent = ContextPaths.resolve(root, parentRel, true, p -> false);
            Path dir = parent.relPath().isEmpty() ? root : root.resolve(parent.relPath());
            Files.createDirectories(dir);
            Path target = dir.resolve(rel.substring(slash + 1));
            if (h.type() != '5' && ContextPaths.exists(target) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(target);
            }
            switch (h.type()) {
                case '0', '\0', '7' -> {
                    try (OutputStream out = Files.newOutputStream(target)) {
                        copy(in, out, h.size());
                    }
                    Files.setPosixFilePermissions(target, permissions(h.mode()));
                    Files.setLastModifiedTime(target, FileTime.from(h.mtime(), java.util.concurrent.TimeUnit.SECONDS));
                    skip(in, pad(h.size()));
                    return;
                }
                case '5' -> {
                    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        if (ContextPaths.exists(target)) Files.delete(target);
                        Files.createDirectory(target);
                    }
                    Files.setPosixFilePermissions(target, permissions(h.mode() | 0700));
                    dirs.add(target);
                    dirTimes.add(h.mtime());
                }
                case '2' -> Files.createSymbolicLink(target, Path.of(h.link()));
                case '1' -> {
                    ContextPaths.Resolved t = ContextPaths.resolve(root, h.link(), false, p -> false);
                    Path existing = root.resolve(t.relPath());
                    if (t.relPath().isEmpty() || !Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)) {
                        throw new InvalidInputException("build context " + what + ": hardlink " + h.name() + " points to "
                                + h.link() + ", which is not a file unpacked before it");
                    }
                    Files.createLink(target, existing);
                }
                default -> { } // devices, fifos: not unpacked (see the class comment)
            }
            skip(in, h.size() + pad(h.size()));
        }

        private static long pad(long size) {
            return (BLOCK - size % BLOCK) % BLOCK;
        }

        private byte[] body(InputStream in, long size) throws IOException {
            if (size > 1 << 20) throw new InvalidInputException("build context " + what + ": tar extension header of " + size + " bytes");
            byte[] b = in.readNBytes((int) size);
            if (b.length < size) throw new EOFException("truncated tar entry");
            skip(in, pad(size));
            return b;
        }

        private static void skip(InputStream in, long n) throws IOException {
            in.skipNBytes(n);
        }

        private static void copy(InputStream in, OutputStream out, long size) throws IOException {
            byte[] buf = new byte[64 * 1024];
            long left = size;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) throw new EOFException("truncated tar entry");
                out.write(buf, 0, n);
                left -= n;
            }
        }

        private Header header(byte[] b) {
            long sum = 0;
            for (int i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : (b[i] & 0xff);
            if (sum != number(b, 148, 8)) throw new InvalidInputException("build context " + what + " is not a tar archive (bad header checksum)");
            String name = cString(b, 0, 100);
            String magic = new String(b, 257, 5, StandardCharsets.US_ASCII);
            if (magic.equals("ustar")) {
                String prefix = cString(b, 345, 155);
                if (!prefix.isEmpty()) name = prefix + "/" + name;
            }
            return new Header(name, (int) number(b, 100, 8), number(b, 124, 12), number(b, 136, 12), (char) b[156], cString(b, 157, 100));
        }

        private long number(byte[] b, int off, int len) {
            if ((b[off] & 0x80) != 0) { // base-256, GNU
                long v = b[off] & 0x7f;
                for (int i = 1; i < len; i++) v = (v << 8) | (b[off + i] & 0xff);
                return v;
            }
            String s = new String(b, off, len, StandardCharsets.US_ASCII).replace("\0", " ").trim();
            if (s.isEmpty()) return 0;
            try {
                return Long.parseLong(s, 8);
            } catch (NumberFormatException e) {
                throw new InvalidInputException("build context " + what + " is not a tar archive (bad number \"" + s + "\")");
            }
        }

        private static String[] pax(byte[] b) {
            String path = null;
            String link = null;
            int i = 0;
            while (i < b.length) {
                int sp = indexOf(b, (byte) ' ', i);
                if (sp < 0) break;
                int len = Integer.parseInt(new String(b, i, sp - i, StandardCharsets.US_ASCII));
                if (len <= 0 || i + len > b.length) break;
                String rec = new String(b, sp + 1, i + len - sp - 2, StandardCharsets.UTF_8);
                int eq = rec.indexOf('=');
                if (eq > 0) {
                    String key = rec.substring(0, eq);
                    if (key.equals("path")) path = rec.substring(eq + 1);
                    if (key.equals("linkpath")) link = rec.substring(eq + 1);
                }
                i += len;
            }
            return new String[] {path, link};
        }

        private static int indexOf(byte[] b, byte x, int from) {
            for (int i = from; i < b.length; i++) if (b[i] == x) return i;
            return -1;
        }

        private static boolean isZero(byte[] b) {
            for (byte x : b) if (x != 0) return false;
            return true;
        }

        private static String cString(byte[] b) {
            return cString(b, 0, b.length);
        }

        private static String cString(byte[] b, int off, int len) {
            int end = off;
            while (end < off + len && b[end] != 0) end++;
            return new String(b, off, end - off, StandardCharsets.UTF_8);
        }

        private static Set<PosixFilePermission> permissions(int mode) {
            Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
            PosixFilePermission[] order = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
            for (int i = 0; i < order.length; i++) if ((mode & (1 << i)) != 0) s.add(order[i]);
            return s;
        }
    }
}

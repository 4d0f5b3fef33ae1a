package dev.kiln.layer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds test tarballs with arbitrary (hostile) names: Commons Compress keeps them as given. */
final class Tars {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream out = new TarArchiveOutputStream(bytes);

    Tars() {
        out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    static Tars tar() {
        return new Tars();
    }

    Tars file(String name, String content) {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL);
        e.setSize(b.length);
        e.setMode(0644);
        return put(e, b);
    }

    Tars dir(String name, int mode) {
        TarArchiveEntry e = entry(name, TarConstants.LF_DIR);
        e.setMode(mode);
        return put(e, null);
    }

    Tars symlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        e.setMode(0777);
        return put(e, null);
    }

    Tars hardlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_LINK);
        e.setLinkName(target);
        e.setMode(0644);
        return put(e, null);
    }

    Tars chr(String name, int major, int minor) {
        TarArchiveEntry e = entry(name, TarConstants.LF_CHR);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        e.setMode(0600);
        return put(e, null);
    }

    /** Whole-second mtime: with a fractional one Commons Compress adds a PAX header to every entry. */
    static TarArchiveEntry entry(String name, byte type) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setModTime(java.nio.file.attribute.FileTime.from(java.time.Instant.ofEpochSecond(1_600_000_000)));
        return e;
    }

    Tars put(TarArchiveEntry e, byte[] content) {
        try {
            out.putArchiveEntry(e);
            if (content != null) out.write(content);
            out.closeArchiveEntry();
            return this;
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    byte[] bytes() {
        try {
            out.finish();
            return bytes.toByteArray();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    /** The archive cut {@code extra} bytes after the first occurrence of {@code marker}. */
    byte[] truncatedAfter(String marker, int extra) {
        byte[] all = bytes();
        byte[] m = marker.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + m.length <= all.length; i++) {
            if (Arrays.equals(all, i, i + m.length, m, 0, m.length)) return Arrays.copyOf(all, i + extra);
        }
        throw new IllegalArgumentException(marker + " not in archive");
    }
}

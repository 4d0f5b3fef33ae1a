package dev.kiln.layer;

import java.util.Map;

/**
 * One tar entry's header, as kiln's own tar codec reads and writes it ({@link TarWriter},
 * {@link TarReader}). kiln has its own codec because layers carry binary xattr values
 * ({@code security.capability}) in PAX records, which must round-trip byte for byte.
 *
 * @param name     path inside the archive, no leading "/" or "./"; directories without a trailing slash
 * @param mode     the 12 permission bits (setuid, setgid, sticky included)
 * @param mtimeNanos modification time, nanoseconds since the epoch
 * @param linkName target of a symlink or hardlink, else ""
 * @param xattrs   extended attributes (PAX "SCHILY.xattr.NAME"), raw bytes
 */
public record TarEntry(String name, Type type, int mode, int uid, int gid, String uname, String gname,
                       long size, long mtimeNanos, String linkName, int devMajor, int devMinor,
                       Map<String, byte[]> xattrs) {
    public enum Type { FILE, DIR, SYMLINK, HARDLINK, CHAR, BLOCK, FIFO }
}

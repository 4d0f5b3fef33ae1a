package dev.kiln.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The few Linux syscalls the JDK lacks, called through java.lang.foreign. Every method takes
 * paths as given and never follows a final symlink unless its name says so. Failures throw
 * {@link IOException} naming the call, the path and the errno text.
 */
public final class Linux {
    private Linux() {}

    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int MNT_DETACH = 2;
    public static final long MS_RDONLY = 1;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_PRIVATE = 1 << 18;

    public static final int S_IFIFO = 0010000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;

    private static final int ENODATA = 61;
    private static final int ERANGE = 34;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    // Each downcall handle is made on first use, in a holder class of its own: making one spins
    // classes at run time (tens of ms each in a fresh JVM; issue 7) and most commands need one or two.
    private static final class Mount {
        static final MethodHandle H = fn("mount", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, PTR));
    }

    private static final class Umount2 {
        static final MethodHandle H = fn("umount2", FunctionDescriptor.of(INT, PTR, INT));
    }

    private static final class Mknodat {
        static final MethodHandle H = fn("mknodat", FunctionDescriptor.of(INT, INT, PTR, INT, LONG));
    }

    private static final class Fchownat {
        static final MethodHandle H = fn("fchownat", FunctionDescriptor.of(INT, INT, PTR, INT, INT, INT));
    }

    private static final class Fchmodat {
        static final MethodHandle H = fn("fchmodat", FunctionDescriptor.of(INT, INT, PTR, INT, INT));
    }

    private static final class Utimensat {
        static final MethodHandle H = fn("utimensat", FunctionDescriptor.of(INT, INT, PTR, PTR, INT));
    }

    private static final class Lsetxattr {
        static final MethodHandle H = fn("lsetxattr", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, INT));
    }

    private static final class Lgetxattr {
        static final MethodHandle H = fn("lgetxattr", FunctionDescriptor.of(LONG, PTR, PTR, PTR, LONG));
    }

    private static final class Llistxattr {
        static final MethodHandle H = fn("llistxattr", FunctionDescriptor.of(LONG, PTR, PTR, LONG));
    }

    private static final class Lremovexattr {
        static final MethodHandle H = fn("lremovexattr", FunctionDescriptor.of(INT, PTR, PTR));
    }

    private static final class Open {
        static final MethodHandle H = fn("open", FunctionDescriptor.of(INT, PTR, INT));
    }

    private static final class SyncFileRange {
        static final MethodHandle H = fn("sync_file_range", FunctionDescriptor.of(INT, INT, LONG, LONG, INT));
    }

    private static final class Close {
        static final MethodHandle H = fn("close", FunctionDescriptor.of(INT, INT));
    }

    private static final class Strerror {
        static final MethodHandle H = LINKER.downcallHandle(
            LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(PTR, INT));
    }

    private static MethodHandle fn(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), fd, Linker.Option.captureCallState("errno"));
    }

    /** mount(2). {@code data} may be null. */
    public static void mount(String source, Path target, String fsType, long flags, String data) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            // A local, not a ?: expression: invokeExact would type the conditional as Object.
            MemorySegment opts = data == null ? MemorySegment.NULL : cstr(a, data);
            int rc = (int) Mount.H.invokeExact(st, cstr(a, source), cstr(a, target.toString()), cstr(a, fsType), flags, opts);
            check(rc, st, "mount " + fsType, target);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Mounts an overlay filesystem of {@code lowers} (top first) under {@code upper}. */
    public static void mountOverlay(List<Path> lowers, Path upper, Path work, Path target) throws IOException {
        StringBuilder opts = new StringBuilder("lowerdir=");
        for (int i = 0; i < lowers.size(); i++) {
            if (i > 0) opts.append(':');
            opts.append(escapeOverlay(lowers.get(i).toString()));
        }
        opts.append(",upperdir=").append(escapeOverlay(upper.toString()))
                .append(",workdir=").append(escapeOverlay(work.toString()));
        mount("overlay", target, "overlay", 0, opts.toString());
    }

    private static String escapeOverlay(String p) {
        return p.replace("\\", "\\\\").replace(":", "\\:").replace(",", "\\,");
    }

    /** umount2(2). */
    public static void umount(Path target, int flags) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            int rc = (int) Umount2.H.invokeExact(st, cstr(a, target.toString()), flags);
            check(rc, st, "umount", target);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** mknod(2): {@code mode} includes the file type bits (S_IFCHR, S_IFBLK, S_IFIFO). */
    public static void mknod(Path path, int mode, int major, int minor) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            int rc = (int) Mknodat.H.invokeExact(st, AT_FDCWD, cstr(a, path.toString()), mode, makedev(major, minor));
            check(rc, st, "mknod", path);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** glibc's makedev. */
    public static long makedev(int major, int minor) {
        long ma = major & 0xffffffffL, mi = minor & 0xffffffffL;
        return ((ma & 0x00000fffL) << 8) | ((ma & 0xfffff000L) << 32) | (mi & 0x000000ffL) | ((mi & 0xffffff00L) << 12);
    }

    public static int major(long dev) {
        return (int) (((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0x00000fffL));
    }

    public static int minor(long dev) {
        return (int) (((dev >>> 12) & 0xffffff00L) | (dev & 0x000000ffL));
    }

    /** lchown: sets owner without following a final symlink. */
    public static void lchown(Path path, int uid, int gid) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            int rc = (int) Fchownat.H.invokeExact(st, AT_FDCWD, cstr(a, path.toString()), uid, gid, AT_SYMLINK_NOFOLLOW);
            check(rc, st, "chown", path);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** chmod with all 12 permission bits (setuid, setgid, sticky included); follows symlinks, so never call it on one. */
    public static void chmod(Path path, int mode) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            int rc = (int) Fchmodat.H.invokeExact(st, AT_FDCWD, cstr(a, path.toString()), mode & 07777, 0);
            check(rc, st, "chmod", path);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Sets access and modification times (seconds + nanoseconds) without following a final symlink. */
    public static void lutimes(Path path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            MemorySegment times = a.allocate(LONG, 4);
            times.setAtIndex(LONG, 0, atimeSec);
            times.setAtIndex(LONG, 1, atimeNsec);
            times.setAtIndex(LONG, 2, mtimeSec);
            times.setAtIndex(LONG, 3, mtimeNsec);
            int rc = (int) Utimensat.H.invokeExact(st, AT_FDCWD, cstr(a, path.toString()), times, AT_SYMLINK_NOFOLLOW);
            check(rc, st, "utimensat", path);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** lsetxattr(2). */
    public static void setXattr(Path path, String name, byte[] value) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            MemorySegment v = a.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int rc = (int) Lsetxattr.H.invokeExact(st, cstr(a, path.toString()), cstr(a, name), v, (long) value.length, 0);
            check(rc, st, "setxattr " + name, path);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** lremovexattr(2); absent attributes are not an error. */
    public static void removeXattr(Path path, String name) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            int rc = (int) Lremovexattr.H.invokeExact(st, cstr(a, path.toString()), cstr(a, name));
            if (rc != 0 && errno(st) == ENODATA) return;
            check(rc, st, "removexattr " + name, path);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** lgetxattr(2); null when the attribute is absent. */
    public static byte[] getXattr(Path path, String name) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            MemorySegment p = cstr(a, path.toString()), n = cstr(a, name);
            for (long cap = 256; ; cap *= 4) {
                MemorySegment buf = a.allocate(cap);
                long rc = (long) Lgetxattr.H.invokeExact(st, p, n, buf, cap);
                if (rc >= 0) return buf.asSlice(0, rc).toArray(ValueLayout.JAVA_BYTE);
                int err = errno(st);
                if (err == ENODATA) return null;
                if (err != ERANGE || cap > (1 << 20)) throw fail("getxattr " + name, path, err);
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** llistxattr(2): the attribute names on {@code path}, not following a final symlink. */
    public static List<String> listXattrs(Path path) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            MemorySegment p = cstr(a, path.toString());
            for (long cap = 1024; ; cap *= 4) {
                MemorySegment buf = a.allocate(cap);
                long rc = (long) Llistxattr.H.invokeExact(st, p, buf, cap);
                if (rc >= 0) return splitNames(buf.asSlice(0, rc).toArray(ValueLayout.JAVA_BYTE));
                int err = errno(st);
                if (err == 95 /* EOPNOTSUPP */) return List.of();
                if (err != ERANGE || cap > (1 << 20)) throw fail("listxattr", path, err);
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static List<String> splitNames(byte[] raw) {
        List<String> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                if (i > start) names.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return names;
    }

    private static final int O_RDONLY_CLOEXEC = 02000000;
    private static final int SYNC_FILE_RANGE_WRITE = 2;

    /**
     * Starts the kernel writing a file's dirty pages to disk while the caller goes on writing
     * ({@code sync_file_range(SYNC_FILE_RANGE_WRITE)} on a descriptor of its own), so the fsync
     * that ends a large write has little left to do instead of the whole file. A hint: it never
     * fails; where the calls are missing or refused it does nothing. Not thread-safe.
     */
    public static final class Writeback implements AutoCloseable {
        private final Path file;
        private int fd = -2; // -2: not opened yet, -1: unavailable

        public Writeback(Path file) {
            this.file = file;
        }

        /** Asks for bytes [{@code offset}, {@code offset + length}) to be written back, without waiting. */
        public void start(long offset, long length) {
            if (fd == -2) fd = open(file);
            if (fd < 0) return;
            try (Arena a = Arena.ofConfined()) {
                int rc = (int) SyncFileRange.H.invokeExact(a.allocate(CALL_STATE), fd, offset, length, SYNC_FILE_RANGE_WRITE);
                if (rc != 0) closeFd(); // unsupported here (e.g. ESPIPE): stop asking
            } catch (Throwable t) {
                closeFd();
            }
        }

        /** True once a hint was given and taken; false before the first or after a refusal. */
        public boolean active() {
            return fd >= 0;
        }

        private static int open(Path file) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment st = a.allocate(CALL_STATE);
                return (int) Open.H.invokeExact(st, cstr(a, file.toString()), O_RDONLY_CLOEXEC);
            } catch (Throwable t) {
                return -1;
            }
        }

        private void closeFd() {
            if (fd >= 0) {
                try (Arena a = Arena.ofConfined()) {
                    int ignored = (int) Close.H.invokeExact(a.allocate(CALL_STATE), fd);
                } catch (Throwable t) {
                    // a hint's descriptor: nothing to do
                }
            }
            fd = -1;
        }

        @Override
        public void close() {
            closeFd();
        }
    }

    private static MemorySegment cstr(Arena a, String s) {
        return a.allocateFrom(s, StandardCharsets.UTF_8);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static void check(int rc, MemorySegment state, String what, Path path) throws IOException {
        if (rc != 0) throw fail(what, path, errno(state));
    }

    private static IOException fail(String what, Path path, int errno) {
        return new LinuxException(what + " " + path + ": " + strerror(errno), errno);
    }

    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) Strerror.H.invokeExact(errno);
            return s.reinterpret(256).getString(0, StandardCharsets.UTF_8) + " (errno " + errno + ")";
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}

package dev.kiln.layer;

import dev.kiln.linux.Linux;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds a directory tree declaratively for tests: {@code Fixture.at(dir).file("a", "x", 0644).dir("d")}. */
final class Fixture {
    /** A Linux file capability value (VFS_CAP_REVISION_2, cap_net_bind_service): binary, with NULs. */
    static final byte[] CAPABILITY = {1, 0, 0, 2, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    static final long MTIME = 1_700_000_000L;

    private final Path root;

    private Fixture(Path root) {
        this.root = root;
    }

    static Fixture at(Path root) throws IOException {
        Files.createDirectories(root);
        return new Fixture(root);
    }

    Path path(String name) {
        return root.resolve(name);
    }

    Fixture file(String name, String content, int mode) throws IOException {
        return file(name, content.getBytes(StandardCharsets.UTF_8), mode, 0, 0);
    }

    Fixture file(String name, byte[] content, int mode, int uid, int gid) throws IOException {
        Path p = parents(name);
        Files.write(p, content);
        return meta(p, mode, uid, gid);
    }

    Fixture dir(String name, int mode) throws IOException {
        return dir(name, mode, 0, 0);
    }

    Fixture dir(String name, int mode, int uid, int gid) throws IOException {
        Path p = parents(name);
        Files.createDirectories(p);
        return meta(p, mode, uid, gid);
    }

    Fixture symlink(String name, String target) throws IOException {
        Path p = parents(name);
        Files.createSymbolicLink(p, Path.of(target));
        Linux.lutimes(p, MTIME, 0, MTIME, 0);
        return this;
    }

    Fixture hardlink(String name, String existing) throws IOException {
        Files.createLink(parents(name), path(existing));
        return this;
    }

    Fixture fifo(String name, int mode) throws IOException {
        Path p = parents(name);
        Linux.mknod(p, Linux.S_IFIFO | mode, 0, 0);
        return meta(p, mode, 0, 0);
    }

    Fixture charDevice(String name, int mode, int major, int minor) throws IOException {
        Path p = parents(name);
        Linux.mknod(p, Linux.S_IFCHR | mode, major, minor);
        return meta(p, mode, 0, 0);
    }

    Fixture xattr(String name, String attr, byte[] value) throws IOException {
        Linux.setXattr(path(name), attr, value);
        return this;
    }

    /** Sets the mtime of {@code name} (after its children were made, for directories). */
    Fixture mtime(String name, long seconds) throws IOException {
        Linux.lutimes(path(name), seconds, 0, seconds, 0);
        return this;
    }

    private Path parents(String name) throws IOException {
        Path p = path(name);
        Files.createDirectories(p.getParent());
        return p;
    }

    private Fixture meta(Path p, int mode, int uid, int gid) throws IOException {
        Linux.lchown(p, uid, gid);
        Linux.chmod(p, mode); // after chown: chown clears setuid
        Linux.lutimes(p, MTIME, 0, MTIME, 0);
        return this;
    }
}

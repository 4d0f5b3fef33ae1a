package dev.kiln.store;

import dev.kiln.linux.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs as root: owners, device nodes and trusted.* xattrs need it. */
class TreeCopierTest {
    @TempDir
    Path dir;

    @Test
    void copiesEverythingCpADoes() throws Exception {
        Path src = dir.resolve("src"), dst = dir.resolve("dst");
        Fixtures.write(src.resolve("bin/su"), "su");
        Linux.lchown(src.resolve("bin/su"), 0, 0);
        Linux.chmod(src.resolve("bin/su"), 04755);
        Fixtures.write(src.resolve("etc/owned"), "x");
        Linux.lchown(src.resolve("etc/owned"), 1234, 5678);
        Files.createLink(src.resolve("etc/hard"), src.resolve("etc/owned"));
        Files.createSymbolicLink(src.resolve("etc/link"), Path.of("../bin/su"));
        Linux.lchown(src.resolve("etc/link"), 7, 8);
        Linux.mknod(src.resolve("etc/null"), Linux.S_IFCHR | 0666, 1, 3);
        Linux.chmod(src.resolve("etc/null"), 0666); // mknod honours the umask
        Linux.mknod(src.resolve("etc/wh"), Linux.S_IFCHR, 0, 0);
        Linux.mknod(src.resolve("etc/fifo"), Linux.S_IFIFO | 0600, 0, 0);
        Linux.setXattr(src.resolve("etc/owned"), "user.k", new byte[]{0, 1, (byte) 0xff});
        Linux.setXattr(src.resolve("etc"), "trusted.overlay.opaque", "y".getBytes());
        Files.createDirectories(src.resolve("ro"));
        Linux.chmod(src.resolve("ro"), 01555);
        Files.setLastModifiedTime(src.resolve("etc/owned"), FileTime.fromMillis(1_000_000_123L));
        Files.setLastModifiedTime(src.resolve("etc"), FileTime.fromMillis(2_000_000_000L));
        Files.createDirectories(dst);

        TreeCopier.copyContents(src, dst);

        assertThat(attrs(dst.resolve("bin/su"))).containsEntry("mode", 0104755);
        assertThat(attrs(dst.resolve("etc/owned"))).containsEntry("uid", 1234).containsEntry("gid", 5678).containsEntry("nlink", 2);
        assertThat(attrs(dst.resolve("etc/owned")).get("ino")).isEqualTo(attrs(dst.resolve("etc/hard")).get("ino"));
        assertThat(Files.readSymbolicLink(dst.resolve("etc/link"))).isEqualTo(Path.of("../bin/su"));
        assertThat(attrs(dst.resolve("etc/link"))).containsEntry("uid", 7);
        assertThat(attrs(dst.resolve("etc/null"))).containsEntry("mode", 020666).containsEntry("rdev", Linux.makedev(1, 3));
        assertThat(attrs(dst.resolve("etc/wh"))).containsEntry("rdev", 0L);
        assertThat(attrs(dst.resolve("etc/fifo"))).containsEntry("mode", 010600);
        assertThat(Linux.getXattr(dst.resolve("etc/owned"), "user.k")).containsExactly(0, 1, 0xff);
        assertThat(Linux.getXattr(dst.resolve("etc"), "trusted.overlay.opaque")).containsExactly('y');
        assertThat(attrs(dst.resolve("ro"))).containsEntry("mode", 041555);
        assertThat(Files.getLastModifiedTime(dst.resolve("etc/owned")).toMillis()).isEqualTo(1_000_000_123L);
        assertThat(Files.getLastModifiedTime(dst.resolve("etc")).toMillis()).isEqualTo(2_000_000_000L);
        assertThat(Files.readString(dst.resolve("bin/su"))).isEqualTo("su");
    }

    private static Map<String, Object> attrs(Path p) throws Exception {
        return Files.readAttributes(p, "unix:mode,uid,gid,nlink,ino,rdev", LinkOption.NOFOLLOW_LINKS);
    }
}

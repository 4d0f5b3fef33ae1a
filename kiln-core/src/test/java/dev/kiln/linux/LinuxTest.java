package dev.kiln.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.testing.Tools;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The syscalls the JDK lacks, against the real kernel. */
@Tag("privileged")
class LinuxTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void needsRoot() {
        Tools.requireRoot();
    }

    private static String mountinfo() throws Exception {
        return Files.readString(Path.of("/proc/self/mountinfo"));
    }

    @Test
    void mountsAndUnmountsWithAndWithoutOptions() throws Exception {
        Path d = Files.createDirectory(tmp.resolve("m"));
        Linux.mount("tmpfs", d, "tmpfs", 0, "size=1m");
        assertThat(mountinfo()).contains(" " + d + " ");
        Linux.umount(d, 0);
        Linux.mount("tmpfs", d, "tmpfs", Linux.MS_RDONLY, null);
        assertThat(mountinfo()).contains(" " + d + " ");
        Linux.umount(d, Linux.MNT_DETACH);
        assertThat(mountinfo()).doesNotContain(" " + d + " ");
        assertThatThrownBy(() -> Linux.umount(d, 0)).isInstanceOf(LinuxException.class).hasMessageContaining(d.toString());
    }

    @Test
    void overlayWhiteoutIsACharDeviceZeroZero() throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Files.writeString(lower.resolve("gone"), "x");
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path merged = Files.createDirectories(tmp.resolve("merged"));
        Linux.mountOverlay(List.of(lower), upper, work, merged);
        try {
            Files.delete(merged.resolve("gone"));
        } finally {
            Linux.umount(merged, 0);
        }
        int mode = (int) Files.getAttribute(upper.resolve("gone"), "unix:mode", LinkOption.NOFOLLOW_LINKS);
        long rdev = (long) Files.getAttribute(upper.resolve("gone"), "unix:rdev", LinkOption.NOFOLLOW_LINKS);
        assertThat(mode & 0170000).isEqualTo(Linux.S_IFCHR);
        assertThat(rdev).isZero();
    }

    @Test
    void devicesFifosOwnersModesTimesAndBinaryXattrs() throws Exception {
        Path dev = tmp.resolve("null");
        Linux.mknod(dev, Linux.S_IFCHR | 0666, 1, 3);
        long rdev = (long) Files.getAttribute(dev, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
        assertThat(Linux.major(rdev)).isEqualTo(1);
        assertThat(Linux.minor(rdev)).isEqualTo(3);
        Path fifo = tmp.resolve("fifo");
        Linux.mknod(fifo, Linux.S_IFIFO | 0644, 0, 0);
        assertThat((int) Files.getAttribute(fifo, "unix:mode") & 0170000).isEqualTo(Linux.S_IFIFO);

        Path f = Files.writeString(tmp.resolve("f"), "x");
        Linux.lchown(f, 3000000, 42);
        Linux.chmod(f, 04755); // after chown: chown clears setuid/setgid

        assertThat((int) Files.getAttribute(f, "unix:mode") & 07777).isEqualTo(04755);
        assertThat((int) Files.getAttribute(f, "unix:uid")).isEqualTo(3000000);
        assertThat((int) Files.getAttribute(f, "unix:gid")).isEqualTo(42);

        Path link = tmp.resolve("link");
        Files.createSymbolicLink(link, Path.of("f"));
        Linux.lchown(link, 7, 8);
        Linux.lutimes(link, 1000, 0, 2000, 500);
        assertThat((int) Files.getAttribute(link, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(7);
        assertThat(Files.getLastModifiedTime(link, LinkOption.NOFOLLOW_LINKS).to(TimeUnit.NANOSECONDS)).isEqualTo(2000_000_000_500L);
        assertThat((int) Files.getAttribute(f, "unix:uid")).as("the link's target is untouched").isEqualTo(3000000);

        byte[] cap = {1, 0, 0, 2, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        Linux.setXattr(f, "security.capability", cap);
        Linux.setXattr(f, "user.note", new byte[] {(byte) 0xff, 0, 1});
        assertThat(Linux.getXattr(f, "security.capability")).isEqualTo(cap);
        assertThat(Linux.getXattr(f, "user.note")).isEqualTo(new byte[] {(byte) 0xff, 0, 1});
        assertThat(Linux.listXattrs(f)).contains("security.capability", "user.note");
        assertThat(Linux.getXattr(f, "user.absent")).isNull();
        Linux.removeXattr(f, "user.note");
        Linux.removeXattr(f, "user.note");
        assertThat(Linux.listXattrs(f)).doesNotContain("user.note");
    }
}

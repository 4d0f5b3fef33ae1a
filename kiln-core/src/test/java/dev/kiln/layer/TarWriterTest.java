package dev.kiln.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.kiln.linux.Linux;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarWriterTest {
    private static final long T = 1_700_000_000L * 1_000_000_000L + 123_456_789L;
    private static final String LONG = "d/" + "n".repeat(150);
    private static final String LONGER = "x".repeat(120) + "/" + "y".repeat(90);

    @TempDir Path tmp;

    private static TarEntry file(String name, int mode, int uid, long size, Map<String, byte[]> xattrs) {
        return new TarEntry(name, TarEntry.Type.FILE, mode, uid, uid, "", "", size, T, "", 0, 0, xattrs);
    }

    private static TarEntry of(String name, TarEntry.Type type, int mode, String link, int major, int minor) {
        return new TarEntry(name, type, mode, 0, 0, "", "", 0, T, link, major, minor, Map.of());
    }

    private Path writeSample() throws Exception {
        Path tar = tmp.resolve("t.tar");
        try (OutputStream out = Files.newOutputStream(tar); TarWriter w = new TarWriter(out)) {
            w.write(of("d", TarEntry.Type.DIR, 0755, "", 0, 0), InputStream.nullInputStream());
            w.write(file("d/a b", 04755, 0, 5, Map.of("security.capability", Fixture.CAPABILITY)), bytes("hello"));
            w.write(file(LONG, 0640, 3_000_000, 3, Map.of("user.note", "ü".getBytes(StandardCharsets.UTF_8))), bytes("abc"));
            w.write(file(LONGER, 0600, 1000, 0, Map.of()), InputStream.nullInputStream());
            w.write(file("d/héllo ☃", 0644, 0, 1, Map.of()), bytes("z"));
            w.write(of("d/sym", TarEntry.Type.SYMLINK, 0777, "t".repeat(130), 0, 0), InputStream.nullInputStream());
            w.write(of("d/hard", TarEntry.Type.HARDLINK, 0644, "d/a b", 0, 0), InputStream.nullInputStream());
            w.write(of("d/null", TarEntry.Type.CHAR, 0666, "", 1, 3), InputStream.nullInputStream());
            w.write(of("d/loop", TarEntry.Type.BLOCK, 0660, "", 7, 300), InputStream.nullInputStream());
            w.write(of("d/fifo", TarEntry.Type.FIFO, 0600, "", 0, 0), InputStream.nullInputStream());
        }
        return tar;
    }

    @Test
    void gnuTarListsWhatWasWritten() throws Exception {
        assertThat(TarListing.of(writeSample())).containsExactly(
                "drwxr-xr-x 0/0 0 d/",
                "-rwsr-xr-x 0/0 5 d/a b",
                "-rw-r----- 3000000/3000000 3 " + LONG,
                "-rw------- 1000/1000 0 " + LONGER,
                "-rw-r--r-- 0/0 1 d/héllo ☃",
                "lrwxrwxrwx 0/0 0 d/sym -> " + "t".repeat(130),
                "hrw-r--r-- 0/0 0 d/hard link to d/a b",
                "crw-rw-rw- 0/0 1,3 d/null",
                "brw-rw---- 0/0 7,300 d/loop",
                "prw------- 0/0 0 d/fifo");
    }

    @Test
    void mtimeIsWholeSeconds() throws Exception {
        String out = Cmd.run(tmp, "tar", "--full-time", "-tvf", writeSample().toString());
        assertThat(out).contains("2023-11-14 22:13:20 d/a b");
    }

    @Test
    void gnuTarExtractsContentAndBinaryXattrsByteForByte() throws Exception {
        assumeThat(Cmd.isRoot()).as("extracting owners and device nodes needs root").isTrue();
        Path tar = writeSample();
        Path out = Files.createDirectory(tmp.resolve("x"));
        Cmd.run(out, "tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf", tar.toString());
        assertThat(Files.readString(out.resolve("d/a b"))).isEqualTo("hello");
        assertThat(Linux.getXattr(out.resolve("d/a b"), "security.capability")).isEqualTo(Fixture.CAPABILITY);
        assertThat(Linux.getXattr(out.resolve(LONG), "user.note")).isEqualTo("ü".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(out.resolve(LONG))).isEqualTo("abc");
        assertThat(Files.getAttribute(out.resolve(LONG), "unix:uid")).isEqualTo(3_000_000);
        assertThat(Files.readString(out.resolve("d/héllo ☃"))).isEqualTo("z");
        assertThat(Files.exists(out.resolve(LONGER))).isTrue();
        assertThat(Files.getAttribute(out.resolve("d/hard"), "unix:ino"))
                .isEqualTo(Files.getAttribute(out.resolve("d/a b"), "unix:ino"));
    }

    @Test
    void paxRecordLengthCountsItsOwnDigits() {
        // " a=bcd\n" is 7 bytes, one digit makes 8; " a=bcdef\n" is 9, one digit would make 10: needs two
        assertThat(new String(TarWriter.paxRecords(Map.of("a", "bcd".getBytes())), StandardCharsets.UTF_8))
                .isEqualTo("8 a=bcd\n");
        assertThat(new String(TarWriter.paxRecords(Map.of("a", "bcdef".getBytes())), StandardCharsets.UTF_8))
                .isEqualTo("11 a=bcdef\n");
    }

    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}

package dev.kiln.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarReaderTest {
    @TempDir Path tmp;

    @Test
    void readsPaxGlobalAndLocalRecordsAndLibarchiveXattrs() throws Exception {
        Path out = tmp.resolve("pax.tar");
        LayerApplierGnuTest.sh("python3 - <<'EOF'\n"
                + "import tarfile, io\n"
                + "t = tarfile.open('" + out + "', 'w', format=tarfile.PAX_FORMAT, pax_headers={'uname': 'globaluser'})\n"
                + "i = tarfile.TarInfo('./dir/f'); i.size = 3; i.mtime = 1600000000.25\n"
                + "i.pax_headers = {'LIBARCHIVE.xattr.user.b%2065': 'AAEC/w==', 'gid': '4000000'}\n"
                + "t.addfile(i, io.BytesIO(b'abc'))\n"
                + "d = tarfile.TarInfo('dir/'); d.type = tarfile.DIRTYPE\n"
                + "t.addfile(d)\n"
                + "t.close()\n"
                + "EOF");
        List<TarEntry> entries = new ArrayList<>();
        TarReader r = new TarReader(Files.newInputStream(out));
        for (TarEntry e; (e = r.next()) != null; ) {
            entries.add(e);
            if (e.type() == TarEntry.Type.FILE) assertThat(new String(r.content().readAllBytes())).isEqualTo("abc");
        }
        TarEntry f = entries.get(0);
        assertThat(f.name()).isEqualTo("dir/f");
        assertThat(f.uname()).isEqualTo("globaluser");
        assertThat(f.gid()).isEqualTo(4000000);
        assertThat(f.mtimeNanos()).isEqualTo(1600000000_250000000L);
        assertThat(f.xattrs().get("user.b 65")).containsExactly(0, 1, 2, 0xff);
        assertThat(entries.get(1).name()).isEqualTo("dir");
        assertThat(entries.get(1).uname()).isEqualTo("globaluser");
    }

    @Test
    void schilyXattrValuesAreRawBytes() throws IOException {
        TarArchiveEntry e = new TarArchiveEntry("f");
        // Commons Compress writes PAX values as UTF-8 strings: use only bytes < 0x80 here; the GNU tar
        // fixture in LayerApplierTest covers a binary security.capability value.
        e.addPaxHeader("SCHILY.xattr.user.x", "\u0000\u0001=\n");
        TarReader r = new TarReader(new ByteArrayInputStream(Tars.tar().put(e, new byte[0]).bytes()));
        assertThat(r.next().xattrs().get("user.x")).containsExactly(0, 1, '=', '\n');
    }

    @Test
    void keepsLeadingSlashAndDotDotForTheApplier() throws IOException {
        byte[] tar = Tars.tar().file("/abs", "").file("../up", "").dir("./d/", 0755).file("./", "").bytes();
        TarReader r = new TarReader(new ByteArrayInputStream(tar));
        List<String> names = new ArrayList<>();
        for (TarEntry e; (e = r.next()) != null; ) names.add(e.name());
        assertThat(names).containsExactly("/abs", "../up", "d", ".");
    }

    @Test
    void acceptsAnArchiveWithoutEndBlocksAtAHeaderBoundary() throws IOException {
        byte[] tar = Arrays.copyOf(Tars.tar().file("a", "abc").bytes(), 1024);
        TarReader r = new TarReader(new ByteArrayInputStream(tar));
        assertThat(r.next().name()).isEqualTo("a");
        assertThat(r.content().readAllBytes()).hasSize(3);
        assertThat(r.content().read()).isEqualTo(-1);
        assertThat(r.next()).isNull();
    }

    @Test
    void readsV7HeaderWithTrailingSlashDirectory() throws IOException {
        byte[] h = new byte[512];
        put(h, 0, "old/");
        put(h, 100, "0000755");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, "00000000000");
        put(h, 136, "00000000000");
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        byte[] tar = Arrays.copyOf(h, 512 * 3);
        TarEntry e = new TarReader(new ByteArrayInputStream(tar)).next();
        assertThat(e.name()).isEqualTo("old");
        assertThat(e.type()).isEqualTo(TarEntry.Type.DIR);
        assertThat(e.mode()).isEqualTo(0755);
    }

    @Test
    void truncatedHeaderContentAndBadChecksumAreInvalidInput() {
        byte[] tar = Tars.tar().file("a", "x".repeat(1000)).bytes();
        assertThatThrownBy(() -> readAll(Arrays.copyOf(tar, 300)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("truncated tar");
        assertThatThrownBy(() -> readAll(Arrays.copyOf(tar, 512 + 600)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("truncated tar: entry a ends after 600 of 1000 bytes");
        byte[] bad = tar.clone();
        bad[10] = 'z';
        assertThatThrownBy(() -> readAll(bad)).isInstanceOf(InvalidInputException.class).hasMessageContaining("checksum");
    }

    private static void readAll(byte[] tar) throws IOException {
        TarReader r = new TarReader(new ByteArrayInputStream(tar));
        while (r.next() != null) {
            // next() skips the content, reading it
        }
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }
}

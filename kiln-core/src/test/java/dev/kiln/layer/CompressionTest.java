package dev.kiln.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompressionTest {
    @TempDir Path tmp;

    /** ~5 MiB: text-like runs, random bytes and zeros, seeded. */
    static byte[] mixedData() {
        Random r = new Random(42);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (b.size() < 5 * 1024 * 1024 + 12345) {
            switch (r.nextInt(3)) {
                case 0 -> b.writeBytes(("line " + r.nextInt(1000) + " of some text\n").repeat(1 + r.nextInt(200)).getBytes());
                case 1 -> {
                    byte[] x = new byte[r.nextInt(100_000)];
                    r.nextBytes(x);
                    b.writeBytes(x);
                }
                default -> b.writeBytes(new byte[r.nextInt(300_000)]);
            }
        }
        return b.toByteArray();
    }

    private Path compress(Compression c, byte[] data) throws Exception {
        Path file = tmp.resolve("out." + c.name().toLowerCase());
        try (OutputStream out = c.compressing(Files.newOutputStream(file))) {
            // uneven writes, to cross block boundaries anywhere
            int off = 0;
            for (int n = 1; off < data.length; n = n * 3 % 70_001 + 1) {
                int len = Math.min(n, data.length - off);
                out.write(data, off, len);
                off += len;
            }
        }
        return file;
    }

    @Test
    void parallelGzipIsOneValidGzipStream() throws Exception {
        byte[] data = mixedData();
        Path gz = compress(Compression.GZIP, data);
        Cmd.run(tmp, "gzip", "-t", gz.toString());
        assertThat(Cmd.runBytes(tmp, gz, "gzip", "-dc")).isEqualTo(data);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(Files.size(gz)).isLessThan(data.length * 3L / 4);
    }

    @Test
    void parallelGzipOfNothingAndOfOneByte() throws Exception {
        for (byte[] data : new byte[][] {new byte[0], {7}, new byte[ParallelGzipOutputStream.BLOCK_SIZE]}) {
            Path gz = compress(Compression.GZIP, data);
            assertThat(Cmd.runBytes(tmp, gz, "gzip", "-dc")).isEqualTo(data);
        }
    }

    @Test
    void gzipIsDeterministic() throws Exception {
        byte[] data = mixedData();
        byte[] a = Files.readAllBytes(compress(Compression.GZIP, data));
        byte[] b = Files.readAllBytes(compress(Compression.GZIP, data));
        assertThat(HexFormat.of().formatHex(a)).isEqualTo(HexFormat.of().formatHex(b));
    }

    /**
     * Issue 7: the parallel path must not make the bytes depend on the machine. Every thread
     * count gives the same gzip stream, and it holds exactly what the plain single-threaded
     * java.util.zip path (GZIPOutputStream) holds.
     */
    @Test
    void parallelGzipBytesDoNotDependOnTheThreadCount() throws Exception {
        byte[] data = mixedData();
        byte[] one = parallelGzip(data, 1);
        for (int threads : new int[] {2, 3, 8}) {
            assertThat(HexFormat.of().formatHex(parallelGzip(data, threads)))
                    .as("%d threads", threads).isEqualTo(HexFormat.of().formatHex(one));
        }
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(plain)) {
            z.write(data);
        }
        assertThat(gunzip(one)).isEqualTo(gunzip(plain.toByteArray())).isEqualTo(data);
    }

    /**
     * Blocks of random bytes are stored, not deflated: for random input the gzip stream is
     * exactly header + stored blocks (5 bytes of framing per 65,535) + the empty final block +
     * trailer. Mixed with text, the text is still deflated, the bytes are the same for any thread
     * count, and gzip reads it all back.
     */
    @Test
    void incompressibleBlocksAreStoredAndTheRestDeflated() throws Exception {
        int block = ParallelGzipOutputStream.BLOCK_SIZE;
        byte[] random = new byte[3 * block + block / 2];
        new Random(9).nextBytes(random);
        long framing = 3L * 5 * ((block + 65_534) / 65_535) + 5L * ((block / 2 + 65_534) / 65_535) + 5;
        byte[] gz = parallelGzip(random, 2);
        assertThat((long) gz.length).isEqualTo(10 + random.length + framing + 8);
        assertThat(gunzip(gz)).isEqualTo(random);

        byte[] text = "kiln stores what deflate cannot shrink\n".repeat(block / 39 + 1).getBytes();
        ByteArrayOutputStream mixed = new ByteArrayOutputStream();
        mixed.write(random, 0, 2 * block);
        mixed.writeBytes(text);
        mixed.write(random, 2 * block, random.length - 2 * block);
        byte[] data = mixed.toByteArray();
        byte[] one = parallelGzip(data, 1);
        assertThat(HexFormat.of().formatHex(parallelGzip(data, 3))).isEqualTo(HexFormat.of().formatHex(one));
        assertThat((long) one.length).as("the text block deflated").isLessThan(random.length + framing + text.length / 10);
        assertThat(gunzip(one)).isEqualTo(data);
        Path file = tmp.resolve("mixed.gz");
        Files.write(file, one);
        assertThat(Cmd.runBytes(tmp, file, "gzip", "-dc")).isEqualTo(data);
    }

    private static byte[] parallelGzip(byte[] data, int threads) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream z = new ParallelGzipOutputStream(b, threads)) {
            for (int off = 0; off < data.length; off += 100_000) z.write(data, off, Math.min(100_000, data.length - off));
        }
        return b.toByteArray();
    }

    private static byte[] gunzip(byte[] gz) throws Exception {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    @Test
    void zstdIsReadableByTheZstdTool() throws Exception {
        byte[] data = mixedData();
        Path zst = compress(Compression.ZSTD, data);
        assertThat(Cmd.runBytes(tmp, zst, "zstd", "-dc")).isEqualTo(data);
    }

    @Test
    void noneClosesAndPassesThrough() throws Exception {
        byte[] data = mixedData();
        assertThat(Files.readAllBytes(compress(Compression.NONE, data))).isEqualTo(data);
    }

    @Test
    void parseAcceptsTheKnownNamesOnly() {
        assertThat(Compression.parse("gzip")).isEqualTo(Compression.GZIP);
        assertThat(Compression.parse("ZSTD")).isEqualTo(Compression.ZSTD);
        assertThat(Compression.parse("none")).isEqualTo(Compression.NONE);
        assertThat(Compression.parse("uncompressed")).isEqualTo(Compression.NONE);
        assertThatThrownBy(() -> Compression.parse("lz4")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("lz4").hasMessageContaining("gzip, zstd, none");
        assertThatThrownBy(() -> Compression.XZ.compressing(OutputStream.nullOutputStream()))
                .isInstanceOf(KilnException.class).hasMessage("cannot write xz: kiln compresses with gzip or zstd");
    }

    @Test
    void digestingStreamsGiveDiffIdAndBlobDigestInOnePass() throws Exception {
        byte[] data = mixedData();
        Path gz = tmp.resolve("blob.gz");
        DigestingOutputStream blob = new DigestingOutputStream(Files.newOutputStream(gz));
        DigestingOutputStream diff = new DigestingOutputStream(Compression.GZIP.compressing(blob));
        try (diff) {
            diff.write(data);
        }
        assertThat(diff.size()).isEqualTo(data.length);
        assertThat(blob.size()).isEqualTo(Files.size(gz));
        assertThat(diff.digest().hex()).isEqualTo(sha256sum(tmp.resolve("raw"), data));
        assertThat(blob.digest().hex()).isEqualTo(Cmd.run(tmp, "sha256sum", gz.toString()).substring(0, 64));
    }

    private String sha256sum(Path file, byte[] data) throws Exception {
        Files.write(file, data);
        return Cmd.run(tmp, "sha256sum", file.toString()).substring(0, 64);
    }
}

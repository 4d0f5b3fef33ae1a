package dev.kiln.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import dev.kiln.oci.InvalidInputException;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DecompressorTest {
    static final byte[] PAYLOAD = payload();

    interface Wrap { OutputStream wrap(OutputStream o) throws IOException; }

    static byte[] compress(Compression c, byte[] data) throws IOException {
        Wrap w = switch (c) {
            case NONE -> o -> o;
            case GZIP -> GZIPOutputStream::new;
            case ZSTD -> ZstdOutputStream::new;
            case BZIP2 -> BZip2CompressorOutputStream::new;
            case XZ -> XZCompressorOutputStream::new;
        };
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream o = w.wrap(b)) {
            o.write(data);
        }
        return b.toByteArray();
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void detectsAndDecompressesEveryFormat(Compression c) throws IOException {
        byte[] compressed = compress(c, PAYLOAD);
        assertThat(Decompressor.detect(new BufferedInputStream(new ByteArrayInputStream(compressed)))).isEqualTo(c);
        try (InputStream in = Decompressor.decompressing(new ByteArrayInputStream(compressed))) {
            assertThat(in.readAllBytes()).isEqualTo(PAYLOAD);
        }
    }

    @Test
    void readsEveryMemberOfMultiMemberGzip() throws IOException {
        byte[] a = compress(Compression.GZIP, "first ".getBytes()), b = compress(Compression.GZIP, "second".getBytes());
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        try (InputStream in = Decompressor.decompressing(new ByteArrayInputStream(both))) {
            assertThat(new String(in.readAllBytes())).isEqualTo("first second");
        }
    }

    @Test
    void tinyAndEmptyInputsAreUncompressed() throws IOException {
        assertThat(Decompressor.decompressing(new ByteArrayInputStream(new byte[0])).readAllBytes()).isEmpty();
        assertThat(Decompressor.decompressing(new ByteArrayInputStream(new byte[] {0x1f})).readAllBytes())
                .containsExactly(0x1f);
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD", "BZIP2", "XZ"})
    void truncatedStreamFailsNamingTheFormat(Compression c) throws IOException {
        byte[] compressed = compress(c, PAYLOAD);
        byte[] cut = Arrays.copyOf(compressed, compressed.length / 2);
        String format = c.name().toLowerCase();
        assertThatThrownBy(() -> Decompressor.decompressing(new ByteArrayInputStream(cut)).readAllBytes())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("corrupt or truncated " + format);
    }

    @Test
    void corruptGzipFailsAsInvalidInput() throws IOException {
        byte[] compressed = compress(Compression.GZIP, PAYLOAD);
        for (int i = 20; i < 60; i++) compressed[i] ^= 0x55;
        assertThatThrownBy(() -> Decompressor.decompressing(new ByteArrayInputStream(compressed)).readAllBytes())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("gzip");
    }

    /** Half random (incompressible, so a cut lands mid-stream), half text. */
    private static byte[] payload() {
        byte[] b = new byte[200_000];
        new Random(42).nextBytes(b);
        Arrays.fill(b, 100_000, b.length, (byte) 'k');
        return b;
    }
}

package dev.kiln.layer;

import com.github.luben.zstd.ZstdInputStream;
import dev.kiln.oci.InvalidInputException;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/** Reads compressed tarballs whatever their format. */
public final class Decompressor {
    private Decompressor() {}

    private static final byte[] GZIP = {0x1f, (byte) 0x8b};
    private static final byte[] ZSTD = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    private static final byte[] BZIP2 = {'B', 'Z', 'h'};
    private static final byte[] XZ = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};

    /** The format {@code in} is compressed with, from its magic bytes; {@code in} must support mark/reset. */
    public static Compression detect(InputStream in) throws IOException {
        byte[] magic = new byte[6];
        in.mark(magic.length);
        int n = 0;
        try {
            while (n < magic.length) {
                int r = in.read(magic, n, magic.length - n);
                if (r < 0) break;
                n += r;
            }
        } finally {
            in.reset();
        }
        if (startsWith(magic, n, GZIP)) return Compression.GZIP;
        if (startsWith(magic, n, ZSTD)) return Compression.ZSTD;
        if (startsWith(magic, n, BZIP2)) return Compression.BZIP2;
        if (startsWith(magic, n, XZ)) return Compression.XZ;
        return Compression.NONE;
    }

    /**
     * Wraps {@code in} so it yields the uncompressed stream, whatever of gzip, zstd, bzip2, xz or
     * none it was compressed with (detected from the magic bytes). A truncated or corrupt stream
     * fails with {@link dev.kiln.oci.InvalidInputException} when read.
     */
    public static InputStream decompressing(InputStream in) throws IOException {
        InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in, 64 * 1024);
        Compression format = detect(buffered);
        String name = format.name().toLowerCase(java.util.Locale.ROOT);
        try {
            InputStream raw = switch (format) {
                case NONE -> buffered;
                // GZIPInputStream reads every member of a multi-member stream (pigz, kiln's writer).
                case GZIP -> new GZIPInputStream(buffered, 64 * 1024);
                case ZSTD -> new ZstdInputStream(buffered);
                case BZIP2 -> new BZip2CompressorInputStream(buffered, true);
                case XZ -> new XZCompressorInputStream(buffered, true);
            };
            return format == Compression.NONE ? raw : new Checked(raw, name);
        } catch (IOException e) {
            throw corrupt(name, e);
        }
    }

    private static boolean startsWith(byte[] b, int n, byte[] magic) {
        if (n < magic.length) return false;
        for (int i = 0; i < magic.length; i++) if (b[i] != magic[i]) return false;
        return true;
    }

    private static InvalidInputException corrupt(String format, IOException e) {
        return new InvalidInputException("decompressing " + format + ": corrupt or truncated " + format
                + " stream: " + e.getMessage(), e);
    }

    /** Turns the decompressor's IOExceptions into InvalidInputException naming the format. */
    private static final class Checked extends FilterInputStream {
        private final String format;

        Checked(InputStream in, String format) {
            super(in);
            this.format = format;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw corrupt(format, e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw corrupt(format, e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (IOException e) {
                throw corrupt(format, e);
            }
        }
    }
}

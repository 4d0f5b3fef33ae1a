package dev.kiln.layer;

import com.github.luben.zstd.ZstdInputStream;
import dev.kiln.oci.InvalidInputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/** Reads compressed tarballs whatever their format. */
public final class Decompressor {
    private Decompressor() {}

    /** The format {@code in} is compressed with, from its magic bytes; {@code in} must support mark/reset. */
    public static Compression detect(InputStream in) throws IOException {
        in.mark(8);
        byte[] m = in.readNBytes(6);
        in.reset();
        if (m.length >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) return Compression.GZIP;
        if (m.length >= 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f && (m[3] & 0xff) == 0xfd) {
            return Compression.ZSTD;
        }
        if (m.length >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') return Compression.BZIP2;
        if (m.length >= 6 && (m[0] & 0xff) == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z' && m[5] == 0) {
            return Compression.XZ;
        }
        return Compression.NONE;
    }

    /**
     * Wraps {@code in} so it yields the uncompressed stream, whatever of gzip, zstd, bzip2, xz or
     * none it was compressed with (detected from the magic bytes). A truncated or corrupt stream
     * fails with {@link InvalidInputException} when read.
     */
    public static InputStream decompressing(InputStream in) throws IOException {
        InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in, 1 << 16);
        Compression c = detect(buffered);
        if (c == Compression.NONE) return buffered;
        try {
            InputStream raw = switch (c) {
                case GZIP -> new GZIPInputStream(buffered, 1 << 16);
                case ZSTD -> new ZstdInputStream(buffered);
                case BZIP2 -> new BZip2CompressorInputStream(buffered, true);
                case XZ -> new XZCompressorInputStream(buffered, true);
                case NONE -> buffered;
            };
            return new Guarded(new BufferedInputStream(raw, 1 << 16), c);
        } catch (IOException e) {
            throw new InvalidInputException("corrupt " + c.name().toLowerCase() + " stream: " + e.getMessage(), e);
        }
    }

    /** Turns a decompressor's IOException (truncated, corrupt) into a clear InvalidInputException. */
    private static final class Guarded extends java.io.FilterInputStream {
        private final Compression format;

        Guarded(InputStream in, Compression format) {
            super(in);
            this.format = format;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw fail(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw fail(e);
            }
        }

        private InvalidInputException fail(IOException e) {
            String what = e instanceof java.io.EOFException ? "truncated" : "corrupt";
            return new InvalidInputException(what + " " + format.name().toLowerCase() + " stream: " + e.getMessage(), e);
        }
    }
}

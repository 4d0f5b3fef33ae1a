package dev.kiln.layer;

import com.github.luben.zstd.ZstdOutputStream;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;

/** Layer and archive compression formats. */
public enum Compression {
    NONE, GZIP, ZSTD, BZIP2, XZ;

    private static final int ZSTD_LEVEL = 3;

    /**
     * Wraps {@code out} so bytes written are compressed with this format, on every core for GZIP
     * (independent blocks in one gzip member, as pigz does) and ZSTD. Closing the returned stream
     * finishes the compressed stream and closes {@code out}. BZIP2 and XZ are read-only: this
     * throws for them.
     */
    public OutputStream compressing(OutputStream out) throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        return switch (this) {
            case NONE -> new PassThrough(out);
            case GZIP -> new ParallelGzipOutputStream(out, cores);
            case ZSTD -> {
                ZstdOutputStream z = new ZstdOutputStream(out, ZSTD_LEVEL);
                if (cores > 1) z.setWorkers(cores);
                yield z;
            }
            case BZIP2, XZ -> throw new KilnException(
                    "cannot write " + name().toLowerCase(Locale.ROOT) + ": kiln compresses with gzip or zstd");
        };
    }

    /** The media type suffix of a layer in this format: "", "+gzip", "+zstd". */
    public String mediaTypeSuffix() {
        return switch (this) {
            case NONE -> "";
            case GZIP -> "+gzip";
            case ZSTD -> "+zstd";
            case BZIP2 -> "+bzip2";
            case XZ -> "+xz";
        };
    }

    /** Parses "gzip", "zstd", "none" or "uncompressed" (user input); a clear error otherwise. */
    public static Compression parse(String unsafeName) {
        String name = unsafeName == null ? "" : unsafeName.trim().toLowerCase(Locale.ROOT);
        return switch (name) {
            case "gzip" -> GZIP;
            case "zstd" -> ZSTD;
            case "none", "uncompressed" -> NONE;
            default -> throw new InvalidInputException("unknown compression format \"" + unsafeName
                    + "\": expected one of gzip, zstd, none (or uncompressed)");
        };
    }

    /** FilterOutputStream writes arrays byte by byte; this forwards them whole. */
    private static final class PassThrough extends FilterOutputStream {
        PassThrough(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }
    }
}

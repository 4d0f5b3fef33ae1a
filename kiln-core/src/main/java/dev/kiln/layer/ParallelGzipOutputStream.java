package dev.kiln.layer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip stream compressed on several threads, as pigz does: the input is cut into 1 MiB
 * blocks, each deflated on its own (primed with the previous block's last 32 KiB as dictionary),
 * ending in a sync flush so the blocks concatenate into one deflate stream; the last block
 * finishes it. The output is one ordinary gzip member (RFC 1952), CRC-32 computed in order on the
 * writing thread. At most {@code 2 × threads} blocks are in flight. Closing closes {@code out}.
 *
 * <p>A block that deflate would not shrink (random or already compressed bytes) is written as
 * stored deflate blocks instead of being deflated: a level-1 trial on a few slices of it decides,
 * so the choice, like the rest of the output, depends on the input alone. Deflating such data
 * costs as much CPU as text and gains ~0.2 % (issue 7: 2.35 CPU s for the 84 MB random layer of
 * the push benchmark); pigz-style compressors in Go skip it the same way.
 */
public final class ParallelGzipOutputStream extends OutputStream {
    static final int BLOCK_SIZE = 1 << 20;
    private static final int DICT_SIZE = 32 * 1024;
    /**
     * zlib level 4, not gzip's default 6 (issue 7, measured in bench/PROFILE.md): on the W1 tree
     * level 6 took 23 CPU s for 167.6 MB, level 4 10.8 s for 178.5 MB — 1.2 % larger than
     * buildah's gzip layer of the same tree (176.4 MB), within the 3 %, at under half the CPU.
     */
    static final int DEFAULT_LEVEL = 4;
    /** Slices of a block a trial deflates, and their size: 1/32 of a full block. */
    private static final int TRIAL_SLICES = 8;
    private static final int TRIAL_SLICE = 4 * 1024;
    private static final int STORED_MAX = 65_535;
    // RFC 1952 section 2.3: magic, CM=deflate, no flags, MTIME=0 (reproducible), XFL=0, OS=unix
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};

    private final OutputStream out;
    private final ExecutorService pool;
    private final int maxInFlight;
    private final ArrayDeque<Future<byte[]>> inFlight = new ArrayDeque<>();
    private final CRC32 crc = new CRC32();
    private final int level;
    /** Deflaters to reuse: a new one per block costs zlib's allocation and table set-up each time. */
    private final ConcurrentLinkedQueue<Deflater> idle = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Deflater> idleTrials = new ConcurrentLinkedQueue<>();
    private byte[] block = new byte[BLOCK_SIZE];
    private int filled;
    private byte[] dictionary;
    private long total;
    private boolean closed;

    public ParallelGzipOutputStream(OutputStream out, int threads) throws IOException {
        this(out, threads, DEFAULT_LEVEL);
    }

    /** As above with a zlib level (1–9); the output depends on the level and the input only, never on {@code threads}. */
    ParallelGzipOutputStream(OutputStream out, int threads, int level) throws IOException {
        this.out = out;
        this.level = level;
        int n = Math.max(1, threads);
        this.pool = Executors.newFixedThreadPool(n, Thread.ofPlatform().daemon().name("kiln-gzip-", 0).factory());
        this.maxInFlight = 2 * n;
        out.write(HEADER);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("write after close");
        while (len > 0) {
            int n = Math.min(len, BLOCK_SIZE - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == BLOCK_SIZE) submit(false);
        }
    }

    /** Writes the finished blocks; the tail stays buffered until close, as gzip needs. */
    @Override
    public void flush() throws IOException {
        while (!inFlight.isEmpty()) writeOldest();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try (out) {
            submit(true);
            while (!inFlight.isEmpty()) writeOldest();
            byte[] trailer = new byte[8];
            putLe32(trailer, 0, crc.getValue());
            putLe32(trailer, 4, total);
            out.write(trailer);
        } finally {
            pool.shutdownNow();
            for (Deflater d; (d = idle.poll()) != null; ) d.end();
            for (Deflater d; (d = idleTrials.poll()) != null; ) d.end();
        }
    }

    private void submit(boolean last) throws IOException {
        byte[] data = block;
        int length = filled;
        byte[] dict = dictionary;
        crc.update(data, 0, length);
        total += length;
        if (length >= DICT_SIZE) dictionary = Arrays.copyOfRange(data, length - DICT_SIZE, length);
        else if (length > 0) dictionary = null;
        while (inFlight.size() >= maxInFlight) writeOldest();
        inFlight.add(pool.submit(() -> deflate(data, length, dict, last)));
        block = new byte[BLOCK_SIZE];
        filled = 0;
    }

    private byte[] deflate(byte[] data, int length, byte[] dict, boolean last) {
        if (incompressible(data, length)) return stored(data, length, last);
        Deflater d = idle.poll();
        if (d == null) d = new Deflater(level, true);
        else d.reset();
        try {
            if (dict != null) d.setDictionary(dict);
            d.setInput(data, 0, length);
            if (last) d.finish();
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream(length / 2 + 64);
            byte[] chunk = new byte[64 * 1024];
            int mode = last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH;
            while (true) {
                int n = d.deflate(chunk, 0, chunk.length, mode);
                buf.write(chunk, 0, n);
                if (last ? d.finished() : n < chunk.length && d.needsInput()) break;
            }
            return buf.toByteArray();
        } finally {
            idle.add(d);
        }
    }

    /**
     * Whether deflate would not shrink this block: {@value #TRIAL_SLICES} slices of
     * {@value #TRIAL_SLICE} bytes spread over it, each deflated at level 1 on its own, come out at
     * 98 % of their size or more. Blocks under 64 KiB are not tried (they are always deflated).
     */
    private boolean incompressible(byte[] data, int length) {
        if (length < 16 * TRIAL_SLICE) return false;
        Deflater t = idleTrials.poll();
        if (t == null) t = new Deflater(1, true);
        try {
            byte[] sink = new byte[2 * TRIAL_SLICE];
            long in = 0, out = 0;
            long stride = (length - TRIAL_SLICE) / (TRIAL_SLICES - 1);
            for (int i = 0; i < TRIAL_SLICES; i++) {
                t.reset();
                t.setInput(data, (int) (i * stride), TRIAL_SLICE);
                t.finish();
                while (!t.finished()) out += t.deflate(sink);
                in += TRIAL_SLICE;
            }
            return out * 100 >= in * 98;
        } finally {
            idleTrials.add(t);
        }
    }

    /**
     * The block as stored deflate blocks (RFC 1951 section 3.2.4: a header byte — BFINAL, BTYPE 00,
     * padding — then LEN and its complement, then the bytes); the last block of the stream ends
     * with an empty final one. Each starts on a byte boundary, as every block before it ends on one.
     */
    static byte[] stored(byte[] data, int length, boolean last) {
        int pieces = (length + STORED_MAX - 1) / STORED_MAX;
        byte[] out = new byte[length + 5 * pieces + (last ? 5 : 0)];
        int o = 0;
        for (int off = 0; off < length; off += STORED_MAX) {
            int n = Math.min(STORED_MAX, length - off);
            out[o++] = 0;
            out[o++] = (byte) n;
            out[o++] = (byte) (n >>> 8);
            out[o++] = (byte) ~n;
            out[o++] = (byte) (~n >>> 8);
            System.arraycopy(data, off, out, o, n);
            o += n;
        }
        if (last) {
            out[o++] = 1;
            out[o++] = 0;
            out[o++] = 0;
            out[o++] = (byte) 0xff;
            out[o] = (byte) 0xff;
        }
        return out;
    }

    private void writeOldest() throws IOException {
        Future<byte[]> f = inFlight.removeFirst();
        try {
            out.write(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing with gzip");
        } catch (ExecutionException e) {
            throw new IOException("compressing a block with gzip", e.getCause());
        }
    }

    private static void putLe32(byte[] b, int off, long v) {
        for (int i = 0; i < 4; i++) b[off + i] = (byte) (v >>> (8 * i));
    }
}

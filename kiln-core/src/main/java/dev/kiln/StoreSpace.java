package dev.kiln;

import dev.kiln.oci.KilnException;
import dev.kiln.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Running out of space in the store (issue 8, item 6): an operation that needs more than the
 * store's filesystem has fails with one line naming the store and the space needed; its caller
 * removes what it had written first, so the store is as it was before.
 */
final class StoreSpace {
    private StoreSpace() {}

    /** Room kept beyond the data itself: index.json rewrites, holds, per-file rounding. */
    private static final long SLACK = 256 << 10;

    /** Bytes the store's filesystem has for kiln now (-1 if unknown). */
    static long free(Store store) {
        try {
            return Files.getFileStore(store.root()).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Fails before writing anything when {@code needed} bytes will not fit. */
    static void requireRoom(Store store, String doing, long needed) {
        long free = free(store);
        if (free >= 0 && needed + SLACK > free) throw noSpace(store, doing, needed, free, null);
    }

    /**
     * {@code e} as it should reach the user: when it is (caused by) ENOSPC or EDQUOT, one line
     * naming the store and the space {@code needed} says; otherwise {@code e} itself, or wrapped
     * in a KilnException if it is not one.
     */
    static KilnException explain(RuntimeException e, Store store, String doing, LongSupplier needed) {
        if (isNoSpace(e)) return noSpace(store, doing, needed.getAsLong(), free(store), e);
        if (e instanceof KilnException k) return k;
        return new KilnException(doing + ": " + e.getMessage(), e);
    }

    static KilnException noSpace(Store store, String doing, long needed, long free, Throwable cause) {
        String msg = "no space left on the filesystem of store " + store.root() + ": " + doing + " needs about "
                + human(needed + SLACK) + ", " + (free >= 0 ? human(free) : "an unknown amount") + " is free"
                + " (free some space there, or use another --root)";
        return cause == null ? new KilnException(msg) : new KilnException(msg, cause);
    }

    /** Whether {@code t} or a cause is the filesystem saying it is full (ENOSPC) or the user's quota is (EDQUOT). */
    static boolean isNoSpace(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = c.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) return true;
        }
        return false;
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " bytes";
        if (bytes < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        if (bytes < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}

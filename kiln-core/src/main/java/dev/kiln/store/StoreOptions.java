package dev.kiln.store;

/**
 * How to open a store. {@code driver}: null = the existing store's driver, or for a new store
 * "overlay" if the kernel allows it, else "vfs"; "overlay" or "vfs" to insist.
 */
public record StoreOptions(String driver) {
    public static final StoreOptions DEFAULT = new StoreOptions(null);
}

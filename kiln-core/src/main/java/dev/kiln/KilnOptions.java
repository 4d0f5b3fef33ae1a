package dev.kiln;

import java.nio.file.Path;

/**
 * How to open a store.
 *
 * @param root           the store directory; null means {@link Kiln#defaultRoot()}
 * @param storageDriver  "overlay" or "vfs"; null means $STORAGE_DRIVER (as buildah), else the store's own, else
 *                       overlay where the kernel allows it
 */
public record KilnOptions(Path root, String storageDriver) {
    public static KilnOptions defaults() {
        return new KilnOptions(null, null);
    }
}

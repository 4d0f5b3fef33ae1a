package dev.kiln.layer;

/**
 * How a layer tar is written. {@code timestamp} (epoch seconds) null keeps each file's mtime;
 * set, every entry's mtime is that value (buildah's {@code --timestamp}), for reproducible layers.
 */
public record LayerOptions(Long timestamp) {
    public static final LayerOptions DEFAULT = new LayerOptions(null);
}

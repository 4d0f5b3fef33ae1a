package dev.kiln.layer;

/**
 * The two spellings of a deletion. OCI layers (image-spec layer.md, "Whiteouts"): a file
 * {@code .wh.NAME} deletes NAME, {@code .wh..wh..opq} hides everything below its directory from
 * lower layers. Overlayfs (kernel overlayfs.rst): a 0:0 character device deletes, the xattr
 * {@code trusted.overlay.opaque=y} makes a directory opaque.
 */
public final class Whiteouts {
    private Whiteouts() {}

    public static final String PREFIX = ".wh.";
    public static final String OPAQUE = ".wh..wh..opq";
    public static final String OVERLAY_OPAQUE_XATTR = "trusted.overlay.opaque";
}

package dev.kiln.oci;

/**
 * The largest JSON documents kiln reads whole, wherever they come from (a registry, an OCI
 * layout, an oci-archive or docker-archive, the store). Anything bigger is refused before it is
 * read, with a message naming the limit: a hostile 100 MB "manifest" must not cost 100 MB (or, as
 * a parsed tree, ten times that) of a small heap.
 */
public final class Limits {
    private Limits() {}

    /**
     * Manifests and indexes: 4 MiB, what the distribution spec asks registries to accept at least
     * and what the CNCF registry itself allows.
     */
    public static final int MANIFEST = 4 << 20;

    /**
     * Image configs and whole-image index files (an OCI layout's index.json, a docker-archive's
     * manifest.json): 8 MiB. Real configs are kilobytes; a long history makes them hundreds.
     */
    public static final int CONFIG = 8 << 20;

    /** "4 MiB". */
    public static String describe(long limit) {
        return (limit >> 20) + " MiB";
    }
}

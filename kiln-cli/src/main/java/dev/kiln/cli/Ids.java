package dev.kiln.cli;

/** Display forms of ids. */
final class Ids {
    private Ids() {}

    /** The first 12 hex digits, as buildah and podman list ids. */
    static String shorten(String id) {
        if (id == null) {
            return "";
        }
        return id.length() > 12 ? id.substring(0, 12) : id;
    }
}

package dev.kiln.cli;

/** Splits an image name for the REPOSITORY and TAG columns. */
final class ImageNames {
    private ImageNames() {}

    /**
     * "localhost/app:1.0" → {"localhost/app", "1.0"}; "host:5000/app" → {"host:5000/app", "<none>"}
     * (the colon before the last slash is a port); "app@sha256:…" → {"app", "<none>"}.
     */
    static String[] repositoryAndTag(String name) {
        int at = name.indexOf('@');
        if (at >= 0) {
            return new String[] {name.substring(0, at), "<none>"};
        }
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/')) {
            return new String[] {name.substring(0, colon), name.substring(colon + 1)};
        }
        return new String[] {name, "<none>"};
    }
}

package dev.kiln.layer;

/** One changed path of a container or layer, as {@code podman diff} prints it: {@code A /path}. */
public record Change(Kind kind, String path) implements Comparable<Change> {
    public enum Kind {
        ADDED("A"), CHANGED("C"), DELETED("D");

        private final String letter;

        Kind(String letter) {
            this.letter = letter;
        }

        public String letter() {
            return letter;
        }
    }

    @Override
    public int compareTo(Change o) {
        return path.compareTo(o.path);
    }

    @Override
    public String toString() {
        return kind.letter() + " " + path;
    }
}

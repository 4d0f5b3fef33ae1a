package dev.kiln;

/** One changed path, as {@code kiln diff} prints it: kind 'A', 'C' or 'D', and an absolute path. */
public record FileChange(char kind, String path) {
    @Override
    public String toString() {
        return kind + " " + path;
    }
}

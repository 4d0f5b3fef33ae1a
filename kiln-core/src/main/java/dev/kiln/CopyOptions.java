package dev.kiln;

/**
 * Options of {@code add} and {@code copy}.
 *
 * @param chown   "USER[:GROUP]" by name (resolved in the container's /etc/passwd and /etc/group) or id; null keeps 0:0
 * @param chmod   octal mode for copied files and directories, e.g. "0755"; null keeps the source's
 * @param extract true for {@code add}: local tar archives (plain, gzip, zstd, bzip2, xz) are extracted at the destination
 * @param contextDir the directory relative source paths are resolved against; null means the current directory
 */
public record CopyOptions(String chown, String chmod, boolean extract, java.nio.file.Path contextDir) {
    public static CopyOptions copy() {
        return new CopyOptions(null, null, false, null);
    }

    public static CopyOptions add() {
        return new CopyOptions(null, null, true, null);
    }
}

package dev.kiln.layer;

import dev.kiln.oci.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Applies layer tarballs to a directory safely: every name from the archive is untrusted and is
 * resolved one component at a time inside {@code root}; nothing outside it is ever created,
 * changed or read (absolute names, {@code ..}, symlinks planted earlier or already present,
 * hardlinks to outside). Hostile or corrupt input throws {@link dev.kiln.oci.InvalidInputException}
 * naming the entry.
 *
 * <p>As buildah and docker do, a leading "/" is stripped; a name that climbs above the root
 * through ".." is refused, not clamped. Parent directories go through {@link SafePath}, so a
 * symlink (planted by the archive or already in the tree) is followed as if {@code root} were
 * "/"; the entry's own name is never followed. Directory mtimes are set after the last entry.
 * A failed apply leaves {@code root} partly applied: callers apply into a fresh directory.
 */
public final class LayerApplier {
    private LayerApplier() {}

    public enum Mode {
        /** Whiteouts become overlay whiteouts (0:0 char devices, trusted.overlay.opaque=y): a snapshot of one layer. */
        OVERLAY,
        /** Whiteouts delete what they name from {@code root}: flattening layers into one tree (vfs). */
        MERGE
    }

    /**
     * Applies an uncompressed tar stream. {@code owner} non-null overrides every entry's uid/gid
     * (for {@code add --chown}); null keeps the archive's. Returns the number of entries applied.
     */
    public static long apply(InputStream tar, Path root, Mode mode, Owner owner) throws IOException {
        Files.createDirectories(root);
        Extraction x = new Extraction(root.toRealPath(), mode, owner);
        TarReader reader = new TarReader(tar);
        long count = 0;
        for (TarEntry e; (e = reader.next()) != null; count++) {
            try {
                x.apply(e, reader.content());
            } catch (InvalidPathException bad) {
                throw new InvalidInputException("applying layer: entry " + e.name() + ": invalid name", bad);
            }
        }
        x.finish();
        return count;
    }

    /**
     * Reads a whole tar stream without writing anything and throws what {@link #apply} would
     * refuse: names climbing out with "..", links named like the root, hardlinks to what is
     * neither an earlier non-directory entry nor a file already in {@code root}, truncation,
     * corruption. Lets {@code add} refuse a hostile archive before it changes a container. What
     * only shows once the archive's own links exist (a symlink loop it creates) is still refused
     * by {@link #apply}, after earlier entries were written.
     */
    public static void validate(InputStream tar, Path root) throws IOException {
        TarReader r = new TarReader(tar);
        java.util.Set<String> files = new java.util.HashSet<>();
        for (TarEntry e; (e = r.next()) != null; ) {
            String name = Extraction.clean(e, e.name());
            if (name.isEmpty() && e.type() != TarEntry.Type.DIR) {
                throw new InvalidInputException("applying layer: entry " + e.name() + ": a " + e.type()
                        + " named like the root; refusing it");
            }
            if (e.type() == TarEntry.Type.HARDLINK) {
                String link = Extraction.clean(e, e.linkName());
                Path existing = link.isEmpty() ? null : SafePath.resolveParent(root, link);
                boolean inRoot = existing != null && Files.isRegularFile(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if (!files.contains(link) && !inRoot) {
                    throw new InvalidInputException("applying layer: entry " + e.name() + ": hardlink to " + e.linkName()
                            + ", which is not a file inside the root; refusing it");
                }
            }
            if (e.type() == TarEntry.Type.FILE) r.content().transferTo(java.io.OutputStream.nullOutputStream());
            if (e.type() == TarEntry.Type.DIR) {
                files.remove(name);
            } else {
                files.add(name);
            }
        }
    }

    /** A uid:gid pair. */
    public record Owner(int uid, int gid) {}
}

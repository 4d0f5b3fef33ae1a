package dev.kiln.layer;

import dev.kiln.linux.Linux;
import dev.kiln.oci.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies layer tarballs to a directory safely: every name from the archive is untrusted and is
 * resolved one component at a time inside {@code root} ({@link SafePath}); nothing outside it is
 * ever created, changed or read (absolute names are taken relative to the root, {@code ..} that
 * would climb above it is refused, symlinks planted earlier or already present are followed as if
 * the root were "/", hardlinks must point at an existing non-directory inside the root). Hostile
 * or corrupt input throws {@link InvalidInputException} naming the entry.
 */
public final class LayerApplier {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final byte[] OPAQUE_VALUE = "y".getBytes(StandardCharsets.US_ASCII);

    private LayerApplier() {}

    public enum Mode {
        /** Whiteouts become overlay whiteouts (0:0 char devices, trusted.overlay.opaque=y): a snapshot of one layer. */
        OVERLAY,
        /** Whiteouts delete what they name from {@code root}: flattening layers into one tree (vfs). */
        MERGE
    }

    /** A uid:gid pair. */
    public record Owner(int uid, int gid) {}

    /**
     * Applies an uncompressed tar stream. {@code owner} non-null overrides every entry's uid/gid
     * (for {@code add --chown}); null keeps the archive's. Returns the number of entries applied.
     */
    public static long apply(InputStream tar, Path root, Mode mode, Owner owner) throws IOException {
        long n = new Application(root, mode, owner).run(new TarReader(tar));
        // Read past the end-of-archive blocks (tar pads to its record size), so a caller hashing
        // the stream sees every byte of the layer.
        tar.transferTo(OutputStream.nullOutputStream());
        return n;
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
        Set<String> seen = new HashSet<>();
        for (TarEntry e; (e = r.next()) != null; ) {
            String name = SafePath.clean(e.name());
            if (name.isEmpty() && e.type() != TarEntry.Type.DIR) {
                throw new InvalidInputException("entry '" + e.name() + "' is a " + e.type() + " named like the root; refusing it");
            }
            if (e.type() == TarEntry.Type.HARDLINK) {
                String link = SafePath.clean(e.linkName());
                boolean earlier = seen.contains(link);
                Path existing = link.isEmpty() ? null : SafePath.resolveParent(root, link);
                if (!earlier && (existing == null || !Files.isRegularFile(existing, NOFOLLOW))) {
                    throw new InvalidInputException("hardlink '" + e.name() + "' points at '" + e.linkName()
                            + "', which is not a file inside the layer's root; refusing it");
                }
            }
            if (e.type() == TarEntry.Type.FILE) r.content().transferTo(OutputStream.nullOutputStream());
            if (e.type() == TarEntry.Type.DIR) {
                seen.remove(name);
            } else {
                seen.add(name);
            }
        }
    }

    /** One application of one archive: remembers what this layer wrote (opaque dirs keep it) and the dirs to finish. */
    private static final class Application {
        private final Path root;
        private final Mode mode;
        private final Owner owner;
        private final Set<String> written = new HashSet<>();
        private final List<Object[]> dirs = new ArrayList<>();

        Application(Path root, Mode mode, Owner owner) {
            this.root = root;
            this.mode = mode;
            this.owner = owner;
        }

        long run(TarReader r) throws IOException {
            long count = 0;
            for (TarEntry e; (e = r.next()) != null; count++) {
                try {
                    applyEntry(e, r);
                } catch (InvalidInputException ex) {
                    throw ex;
                } catch (IOException ex) {
                    throw new InvalidInputException("cannot apply entry '" + e.name() + "': " + ex.getMessage(), ex);
                }
            }
            // Directory metadata last, deepest first: creating children changes a directory's mtime.
            for (int i = dirs.size() - 1; i >= 0; i--) setMeta((Path) dirs.get(i)[0], (TarEntry) dirs.get(i)[1]);
            return count;
        }

        private void applyEntry(TarEntry e, TarReader r) throws IOException {
            String name = SafePath.clean(e.name());
            if (name.isEmpty()) {
                if (e.type() != TarEntry.Type.DIR) {
                    throw new InvalidInputException("entry '" + e.name() + "' is a " + e.type() + " named like the root; refusing it");
                }
                return; // the root directory itself: kiln keeps the root's own metadata
            }
            int slash = name.lastIndexOf('/');
            String parentName = slash < 0 ? "" : name.substring(0, slash);
            String base = name.substring(slash + 1);
            Path parent = SafePath.resolve(root, parentName);
            ensureDir(parent, parentName);
            if (base.startsWith(Whiteouts.PREFIX)) {
                whiteout(parent, parentName, base, e);
                return;
            }
            Path target = parent.resolve(base);
            switch (e.type()) {
                case DIR -> {
                    if (!Files.isDirectory(target, NOFOLLOW)) {
                        removeTree(target);
                        Files.createDirectory(target);
                    }
                    dirs.add(new Object[] {target, e});
                }
                case FILE -> {
                    removeTree(target);
                    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                            LinkOption.NOFOLLOW_LINKS)) {
                        long n = r.content().transferTo(out);
                        if (n != e.size()) throw new InvalidInputException("truncated tar: entry '" + e.name() + "' is short");
                    }
                }
                case SYMLINK -> {
                    removeTree(target);
                    Files.createSymbolicLink(target, Path.of(e.linkName()));
                }
                case HARDLINK -> {
                    Path source = linkSource(e);
                    removeTree(target);
                    Files.createLink(target, source);
                }
                case CHAR, BLOCK, FIFO -> {
                    removeTree(target);
                    int type = switch (e.type()) {
                        case CHAR -> Linux.S_IFCHR;
                        case BLOCK -> Linux.S_IFBLK;
                        default -> Linux.S_IFIFO;
                    };
                    Linux.mknod(target, type | 0600, e.devMajor(), e.devMinor());
                }
            }
            written.add(name);
            if (e.type() != TarEntry.Type.DIR && e.type() != TarEntry.Type.HARDLINK) setMeta(target, e);
        }

        private Path linkSource(TarEntry e) throws IOException {
            String linkName = SafePath.clean(e.linkName());
            if (linkName.isEmpty()) throw new InvalidInputException("hardlink '" + e.name() + "' points at the root; refusing it");
            Path source = SafePath.resolveParent(root, linkName);
            if (!Files.exists(source, NOFOLLOW) || Files.isDirectory(source, NOFOLLOW)) {
                throw new InvalidInputException("hardlink '" + e.name() + "' points at '" + e.linkName()
                        + "', which is not a file inside the layer's root; refusing it");
            }
            return source;
        }

        private void whiteout(Path parent, String parentName, String base, TarEntry e) throws IOException {
            if (base.equals(Whiteouts.OPAQUE)) {
                if (mode == Mode.OVERLAY) {
                    Linux.setXattr(parent, Whiteouts.OVERLAY_OPAQUE_XATTR, OPAQUE_VALUE);
                } else {
                    clearOlderChildren(parent, parentName);
                }
                return;
            }
            String victim = base.substring(Whiteouts.PREFIX.length());
            if (victim.isEmpty() || victim.equals(".") || victim.equals("..") || victim.contains("/")) {
                throw new InvalidInputException("whiteout '" + e.name() + "' names no entry; refusing it");
            }
            Path target = parent.resolve(victim);
            removeTree(target);
            if (mode == Mode.OVERLAY) Linux.mknod(target, Linux.S_IFCHR, 0, 0);
            written.add(parentName.isEmpty() ? victim : parentName + "/" + victim);
        }

        /** An opaque whiteout hides what lower layers put in the directory, not what this layer wrote there. */
        private void clearOlderChildren(Path dir, String dirName) throws IOException {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path c : ds) {
                    String rel = dirName.isEmpty() ? c.getFileName().toString() : dirName + "/" + c.getFileName();
                    if (!written.contains(rel)) removeTree(c);
                }
            }
        }

        private void ensureDir(Path dir, String name) throws IOException {
            if (Files.isDirectory(dir, NOFOLLOW)) return;
            if (Files.exists(dir, NOFOLLOW)) {
                throw new InvalidInputException("entry below '" + name + "', which is not a directory in the layer's root");
            }
            Files.createDirectories(dir);
        }

        private void setMeta(Path p, TarEntry e) throws IOException {
            boolean link = e.type() == TarEntry.Type.SYMLINK;
            Linux.lchown(p, owner != null ? owner.uid() : e.uid(), owner != null ? owner.gid() : e.gid());
            if (!link) Linux.chmod(p, e.mode()); // after chown: chown clears setuid/setgid
            for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
                if (x.getKey().startsWith("trusted.overlay.")) continue;
                Linux.setXattr(p, x.getKey(), x.getValue());
            }
            long s = Math.floorDiv(e.mtimeNanos(), 1_000_000_000L);
            long ns = Math.floorMod(e.mtimeNanos(), 1_000_000_000L);
            Linux.lutimes(p, s, ns, s, ns);
        }
    }

    /** Removes a path and, for a directory, everything below it, never following a symlink. */
    static void removeTree(Path p) throws IOException {
        if (Files.isDirectory(p, NOFOLLOW)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                for (Path c : ds) removeTree(c);
            }
        }
        Files.deleteIfExists(p);
    }
}

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
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of one {@link LayerApplier#apply}: what this layer wrote (so that whiteouts only hide
 * what lower layers had, image-spec layer.md "Whiteouts") and the directory mtimes to set last.
 */
final class Extraction {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Path root;
    private final LayerApplier.Mode mode;
    private final LayerApplier.Owner owner;
    private final Map<Path, Long> dirTimes = new LinkedHashMap<>();
    /** Paths this layer created, and every directory above them. */
    private final Set<Path> keep = new HashSet<>();
    private final Set<Path> written = new HashSet<>();

    Extraction(Path realRoot, LayerApplier.Mode mode, LayerApplier.Owner owner) {
        this.root = realRoot;
        this.mode = mode;
        this.owner = owner;
    }

    void apply(TarEntry e, InputStream content) throws IOException {
        String clean = clean(e, e.name());
        String base = clean.substring(clean.lastIndexOf('/') + 1);
        if (base.startsWith(Whiteouts.PREFIX)) {
            whiteout(e, parentOf(clean), base);
        } else if (clean.isEmpty()) {
            applyRoot(e);
        } else {
            Path parent = mkdirs(e, SafePath.resolve(root, parentOf(clean)));
            create(e, parent.resolve(base), content);
        }
    }

    /** Directory mtimes last: creating children changed them. */
    void finish() throws IOException {
        for (var d : dirTimes.entrySet()) {
            BasicFileAttributes a = lstat(d.getKey());
            if (a != null && a.isDirectory()) setTimes(d.getKey(), d.getValue());
        }
    }

    private void create(TarEntry e, Path target, InputStream content) throws IOException {
        Path linkSource = e.type() == TarEntry.Type.HARDLINK ? hardlinkSource(e) : null;
        if (target.equals(linkSource)) return; // a hardlink to itself: already there
        replaceExisting(e, target);
        switch (e.type()) {
            case FILE -> {
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, NOFOLLOW)) {
                    content.transferTo(out);
                }
            }
            case DIR -> {
                if (lstat(target) == null) Files.createDirectory(target);
            }
            case SYMLINK -> {
                if (e.linkName().isEmpty()) throw refuse(e, "symlink with an empty target");
                Files.createSymbolicLink(target, Path.of(e.linkName()));
            }
            case HARDLINK -> Files.createLink(target, linkSource);
            case CHAR -> Linux.mknod(target, Linux.S_IFCHR | (e.mode() & 0777), e.devMajor(), e.devMinor());
            case BLOCK -> Linux.mknod(target, Linux.S_IFBLK | (e.mode() & 0777), e.devMajor(), e.devMinor());
            case FIFO -> Linux.mknod(target, Linux.S_IFIFO | (e.mode() & 0777), 0, 0);
        }
        // A hardlink shares its source's inode: its header's metadata is the source's.
        if (e.type() != TarEntry.Type.HARDLINK) setMetadata(e, target);
        markWritten(target);
    }

    private void applyRoot(TarEntry e) throws IOException {
        if (e.type() != TarEntry.Type.DIR) {
            throw refuse(e, "a " + e.type().name().toLowerCase() + " entry may not replace the root directory");
        }
        setMetadata(e, root);
    }

    /** The entry's target exists: a directory stays for a directory entry, anything else goes. */
    private void replaceExisting(TarEntry e, Path target) throws IOException {
        BasicFileAttributes a = lstat(target);
        if (a == null || (a.isDirectory() && e.type() == TarEntry.Type.DIR)) return;
        deleteTree(target);
    }

    /** The hardlink's source inside the root (its last component not followed): must exist, not a directory. */
    private Path hardlinkSource(TarEntry e) throws IOException {
        String clean = clean(e, e.linkName());
        if (clean.isEmpty()) throw refuse(e, "hardlink to the root directory");
        Path source = SafePath.resolveParent(root, clean);
        BasicFileAttributes a = lstat(source);
        if (a == null) throw refuse(e, "hardlink target " + e.linkName() + " does not exist inside the root");
        if (a.isDirectory()) throw refuse(e, "hardlink target " + e.linkName() + " is a directory");
        return source;
    }

    private void setMetadata(TarEntry e, Path target) throws IOException {
        int uid = owner != null ? owner.uid() : e.uid();
        int gid = owner != null ? owner.gid() : e.gid();
        // chown first: it clears setuid bits and security.capability.
        Linux.lchown(target, uid, gid);
        if (e.type() != TarEntry.Type.SYMLINK) Linux.chmod(target, e.mode());
        for (var x : e.xattrs().entrySet()) {
            // An archive must not forge overlay whiteouts or redirects (containerd and buildah skip them too).
            if (x.getKey().startsWith("trusted.overlay.")) continue;
            Linux.setXattr(target, x.getKey(), x.getValue());
        }
        if (e.type() == TarEntry.Type.DIR) dirTimes.put(target, e.mtimeNanos());
        else setTimes(target, e.mtimeNanos());
    }

    private void whiteout(TarEntry e, String parentRel, String base) throws IOException {
        Path dir = SafePath.resolve(root, parentRel);
        if (base.equals(Whiteouts.OPAQUE)) {
            if (mode == LayerApplier.Mode.OVERLAY) {
                Linux.setXattr(mkdirs(e, dir), Whiteouts.OVERLAY_OPAQUE_XATTR, "y".getBytes(StandardCharsets.US_ASCII));
            } else {
                BasicFileAttributes a = lstat(dir);
                if (a != null && a.isDirectory()) purgeLower(dir);
            }
            return;
        }
        if (base.startsWith(Whiteouts.PREFIX + Whiteouts.PREFIX)) return; // other reserved .wh..wh. names: ignored, as containerd does
        String name = base.substring(Whiteouts.PREFIX.length());
        if (name.isEmpty() || name.equals(".") || name.equals("..")) throw refuse(e, "whiteout names no file");
        Path target = dir.resolve(name);
        // A whiteout hides lower layers only, never an entry of its own layer.
        if (written.contains(target)) return;
        if (mode == LayerApplier.Mode.OVERLAY) {
            mkdirs(e, dir);
            if (lstat(target) != null) deleteTree(target);
            Linux.mknod(target, Linux.S_IFCHR, 0, 0);
            markWritten(target);
        } else if (lstat(target) != null) {
            deleteTree(target);
        }
    }

    /** MERGE opaque whiteout: deletes what lower layers left under {@code dir}, keeping this layer's entries. */
    private void purgeLower(Path dir) throws IOException {
        for (Path child : list(dir)) {
            if (!keep.contains(child)) {
                deleteTree(child);
            } else {
                BasicFileAttributes a = lstat(child);
                if (a != null && a.isDirectory()) purgeLower(child);
            }
        }
    }

    /** Creates the missing directories of {@code dir} (resolved inside the root: no symlinks in it), 0755. */
    private Path mkdirs(TarEntry e, Path dir) throws IOException {
        Path cur = root;
        for (Path c : root.relativize(dir)) {
            if (c.toString().isEmpty()) continue;
            cur = cur.resolve(c);
            BasicFileAttributes a = lstat(cur);
            if (a == null) {
                Files.createDirectory(cur);
                Linux.chmod(cur, 0755);
                markWritten(cur);
            } else if (!a.isDirectory()) {
                throw refuse(e, "parent " + root.relativize(cur) + " is not a directory");
            }
        }
        return dir;
    }

    private void markWritten(Path p) {
        written.add(p);
        for (Path q = p; q != null && q.startsWith(root) && keep.add(q); q = q.getParent()) {
            // every directory above an entry of this layer survives an opaque whiteout
        }
    }

    /** Lexically cleans an archive name: leading "/" dropped, "." and ".." folded; climbing above the root refused. */
    static String clean(TarEntry e, String unsafeName) {
        ArrayDeque<String> parts = new ArrayDeque<>();
        for (String c : unsafeName.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (parts.isEmpty()) throw refuse(e, "path " + unsafeName + " climbs above the root");
                parts.removeLast();
            } else {
                parts.addLast(c);
            }
        }
        return String.join("/", parts);
    }

    private static String parentOf(String clean) {
        int slash = clean.lastIndexOf('/');
        return slash < 0 ? "" : clean.substring(0, slash);
    }

    private static InvalidInputException refuse(TarEntry e, String problem) {
        return new InvalidInputException("applying layer: entry " + e.name() + ": " + problem);
    }

    /** Deletes {@code p} and, if it is a directory (not a symlink to one), everything below it. */
    static void deleteTree(Path p) throws IOException {
        BasicFileAttributes a = lstat(p);
        if (a == null) return;
        if (a.isDirectory()) {
            for (Path child : list(p)) deleteTree(child);
        }
        Files.delete(p);
    }

    private static List<Path> list(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(out::add);
        }
        return out;
    }

    private static BasicFileAttributes lstat(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
        } catch (IOException absent) {
            return null;
        }
    }

    private static void setTimes(Path p, long nanos) throws IOException {
        long sec = Math.floorDiv(nanos, 1_000_000_000L), ns = Math.floorMod(nanos, 1_000_000_000L);
        Linux.lutimes(p, sec, ns, sec, ns);
    }
}

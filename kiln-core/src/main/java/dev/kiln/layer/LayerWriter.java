package dev.kiln.layer;

import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes layer tarballs (uncompressed tar; compress by wrapping {@code out}). Entries are sorted
 * by path (byte order of the UTF-8 name, so parents come before children), with PAX headers for
 * long names, large ids and xattrs; hardlinks within the written set become tar hardlinks to the
 * first name written. Owners are numeric (uname/gname empty), times whole seconds, or all
 * {@link LayerOptions#timestamp()} when set. Overlayfs' own xattrs ({@code trusted.overlay.*})
 * are never written; sockets are skipped. No symlink inside the tree is ever followed.
 * {@code out} is not closed.
 */
public final class LayerWriter {
    private LayerWriter() {}

    /** What one planned entry is made from. */
    private enum Source { DISK, OVERLAY_WHITEOUT, OPAQUE_MARKER, DELETION }

    /** One entry to write: {@code sortKey} orders it, {@code name} names it in the tar. */
    private record Planned(String sortKey, String name, Path path, FileMeta meta, Source source) {}

    /** The changes in an overlay upper directory (overlay whiteouts, opaque xattrs) as an OCI layer. */
    public static void writeOverlayUpper(Path upper, OutputStream out, LayerOptions opts) throws IOException {
        List<Planned> plan = new ArrayList<>();
        for (TreeWalker.Node n : TreeWalker.walk(upper)) {
            if (n.meta().isOverlayWhiteout()) {
                String name = whiteoutName(n.name());
                plan.add(new Planned(name, name, n.path(), n.meta(), Source.OVERLAY_WHITEOUT));
                continue;
            }
            plan.add(new Planned(n.name(), n.name(), n.path(), n.meta(), Source.DISK));
            if (n.meta().isDir() && FileMeta.isOpaque(n.path())) {
                // "DIR/" sorts after DIR and before all of DIR's children: the marker must precede them
                plan.add(new Planned(n.name() + "/", n.name() + "/" + Whiteouts.OPAQUE, n.path(), n.meta(),
                        Source.OPAQUE_MARKER));
            }
        }
        write(plan, out, opts);
    }

    /** A whole directory tree as a layer with no whiteouts (squash, scratch). Skips nothing but sockets. */
    public static void writeTree(Path root, OutputStream out, LayerOptions opts) throws IOException {
        List<Planned> plan = new ArrayList<>();
        for (TreeWalker.Node n : TreeWalker.walk(root)) {
            plan.add(new Planned(n.name(), n.name(), n.path(), n.meta(), Source.DISK));
        }
        write(plan, out, opts);
    }

    /**
     * The given changes (as {@link Changes#compare} lists them) with content read from
     * {@code newRoot}: ADDED/CHANGED as entries (with their parent directories), DELETED as
     * OCI whiteouts (with their parent directories). Each change is one entry: an added
     * directory's children are written only if they are listed too.
     */
    public static void writeChanges(Path newRoot, List<Change> changes, OutputStream out, LayerOptions opts)
            throws IOException {
        Map<String, Planned> plan = new TreeMap<>(TreeWalker.BYTE_ORDER);
        for (Change c : changes) {
            String rel = relativeName(c.path());
            planParents(newRoot, rel, plan);
            if (c.kind() == Change.Kind.DELETED) {
                String name = whiteoutName(rel);
                Path parent = parentOf(newRoot, rel);
                plan.put(name, new Planned(name, name, parent, FileMeta.of(parent), Source.DELETION));
            } else {
                Path p = newRoot.resolve(rel);
                plan.put(rel, new Planned(rel, rel, p, FileMeta.of(p), Source.DISK));
            }
        }
        write(new ArrayList<>(plan.values()), out, opts);
    }

    private static void planParents(Path root, String rel, Map<String, Planned> plan) throws IOException {
        int slash = rel.indexOf('/');
        while (slash > 0) {
            String dir = rel.substring(0, slash);
            Planned known = plan.get(dir);
            FileMeta meta = known != null ? known.meta() : FileMeta.of(root.resolve(dir));
            if (!meta.isDir()) {
                throw new KilnException("writing the change to /" + rel + ": /" + dir + " in " + root
                        + " is not a directory (a symlink is never followed)");
            }
            if (known == null) plan.put(dir, new Planned(dir, dir, root.resolve(dir), meta, Source.DISK));
            slash = rel.indexOf('/', slash + 1);
        }
    }

    private static Path parentOf(Path root, String rel) {
        int slash = rel.lastIndexOf('/');
        return slash < 0 ? root : root.resolve(rel.substring(0, slash));
    }

    /** "/a/b" to "a/b", refusing what could leave the root. */
    private static String relativeName(String unsafePath) {
        String rel = unsafePath.startsWith("/") ? unsafePath.substring(1) : unsafePath;
        while (rel.endsWith("/")) rel = rel.substring(0, rel.length() - 1);
        for (String part : rel.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new InvalidInputException("invalid change path \"" + unsafePath + "\"");
            }
        }
        return rel;
    }

    /** "a/b" to "a/.wh.b" (OCI image-spec layer.md, "Whiteouts"). */
    private static String whiteoutName(String rel) {
        int slash = rel.lastIndexOf('/');
        return rel.substring(0, slash + 1) + Whiteouts.PREFIX + rel.substring(slash + 1);
    }

    private static void write(List<Planned> plan, OutputStream out, LayerOptions opts) throws IOException {
        plan.sort(Comparator.comparing(Planned::sortKey, TreeWalker.BYTE_ORDER));
        Map<List<Long>, String> firstNameOfInode = new HashMap<>();
        TarWriter tar = new TarWriter(out);
        for (Planned p : plan) {
            if (p.source() == Source.DISK && p.meta().kind() == FileMeta.Kind.SOCKET) continue;
            TarEntry e = entryFor(p, opts, firstNameOfInode);
            if (e.type() == TarEntry.Type.FILE && e.size() > 0) {
                try (InputStream in = Files.newInputStream(p.path(), LinkOption.NOFOLLOW_LINKS)) {
                    tar.write(e, in);
                }
            } else {
                tar.write(e, InputStream.nullInputStream());
            }
        }
        tar.finish();
    }

    private static TarEntry entryFor(Planned p, LayerOptions opts, Map<List<Long>, String> firstNameOfInode)
            throws IOException {
        FileMeta m = p.meta();
        long mtime = opts.timestamp() != null ? opts.timestamp() * 1_000_000_000L
                : Math.floorDiv(m.mtimeNanos(), 1_000_000_000L) * 1_000_000_000L;
        return switch (p.source()) {
            // containers/storage (pkg/archive, overlayWhiteoutConverter.ConvertWrite): mode 0, empty
            case OVERLAY_WHITEOUT -> emptyFile(p.name(), 0, m.uid(), m.gid(), mtime);
            case OPAQUE_MARKER -> emptyFile(p.name(), m.mode() & 0777, m.uid(), m.gid(), mtime);
            case DELETION -> emptyFile(p.name(), 0, 0, 0, mtime);
            case DISK -> diskEntry(p, mtime, firstNameOfInode);
        };
    }

    private static TarEntry emptyFile(String name, int mode, int uid, int gid, long mtime) {
        return new TarEntry(name, TarEntry.Type.FILE, mode, uid, gid, "", "", 0, mtime, "", 0, 0, Map.of());
    }

    private static TarEntry diskEntry(Planned p, long mtime, Map<List<Long>, String> firstNameOfInode)
            throws IOException {
        FileMeta m = p.meta();
        Map<String, byte[]> xattrs = FileMeta.xattrs(p.path());
        if (!m.isDir() && m.nlink() > 1) {
            String first = firstNameOfInode.putIfAbsent(List.of(m.dev(), m.ino()), p.name());
            if (first != null) {
                return new TarEntry(p.name(), TarEntry.Type.HARDLINK, m.mode(), m.uid(), m.gid(), "", "", 0, mtime,
                        first, 0, 0, xattrs);
            }
        }
        TarEntry.Type type = switch (m.kind()) {
            case FILE -> TarEntry.Type.FILE;
            case DIR -> TarEntry.Type.DIR;
            case SYMLINK -> TarEntry.Type.SYMLINK;
            case CHAR -> TarEntry.Type.CHAR;
            case BLOCK -> TarEntry.Type.BLOCK;
            case FIFO -> TarEntry.Type.FIFO;
            case SOCKET -> throw new IllegalStateException("sockets are skipped before");
        };
        String link = type == TarEntry.Type.SYMLINK ? Files.readSymbolicLink(p.path()).toString() : "";
        boolean device = type == TarEntry.Type.CHAR || type == TarEntry.Type.BLOCK;
        return new TarEntry(p.name(), type, m.mode(), m.uid(), m.gid(), "", "",
                type == TarEntry.Type.FILE ? m.size() : 0, mtime, link,
                device ? m.devMajor() : 0, device ? m.devMinor() : 0, xattrs);
    }
}

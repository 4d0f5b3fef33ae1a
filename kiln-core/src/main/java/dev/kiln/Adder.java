package dev.kiln;

import dev.kiln.layer.Decompressor;
import dev.kiln.layer.LayerApplier;
import dev.kiln.layer.SafePath;
import dev.kiln.linux.Linux;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.NotFoundException;
import dev.kiln.runtime.Users;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code add} and {@code copy}: host files into a mounted container root. Every destination path
 * is resolved inside the root ({@link SafePath}), so links in the container cannot redirect a
 * write to the host. Sources are checked before anything is written.
 */
final class Adder {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path root;
    private final CopyOptions options;
    private final Users.User owner;
    private final Integer chmod;
    private final boolean stripSetid;
    /** Source files with several links already copied by this add: their other names become links to the copy. */
    private final Map<FileId, Path> copied = new HashMap<>();

    private record FileId(Object dev, Object ino) {}

    Adder(Path root, CopyOptions options) {
        this(root, options, false);
    }

    /**
     * {@code stripSetid}: clear setuid and setgid on what is copied (not on what an archive
     * extracts, nor when {@code --chmod} sets the mode), as buildah's COPY/ADD from a build
     * context does (Docker's classic builder did the same).
     */
    Adder(Path root, CopyOptions options, boolean stripSetid) {
        this.root = root;
        this.options = options;
        this.stripSetid = stripSetid;
        this.owner = options.chown() == null ? new Users.User(0, 0, List.of(), null) : chownOwner(root, options.chown());
        this.chmod = options.chmod() == null ? null : parseMode(options.chmod());
    }

    /**
     * The owner {@code --chown=USER[:GROUP]} gives: names resolved in the image; a numeric uid
     * without a group also becomes the gid (Docker's documented rule, and buildah's), whatever
     * the image's passwd says; a name without a group takes the user's primary group.
     */
    static Users.User chownOwner(Path root, String unsafeSpec) {
        if (unsafeSpec.matches("[0-9]{1,10}")) {
            long id = Long.parseLong(unsafeSpec);
            if (id <= Integer.MAX_VALUE) return new Users.User((int) id, (int) id, List.of(), null);
        }
        return Users.resolve(root, unsafeSpec);
    }

    static int parseMode(String s) {
        if (!s.matches("[0-7]{1,4}")) throw new InvalidInputException("--chmod '" + s + "' is not an octal mode such as 0755");
        return Integer.parseInt(s, 8);
    }

    /** Copies {@code sources} to {@code dest}, a path in the container (already made absolute). */
    void add(List<String> sources, String dest) {
        if (sources.isEmpty()) throw new InvalidInputException("nothing to add: name at least one source");
        List<Path> paths = expand(sources);
        boolean intoDir = dest.endsWith("/") || paths.size() > 1 || isDirInRoot(dest);
        try {
            for (Path src : paths) addOne(src, dest, intoDir);
        } catch (IOException e) {
            throw new KilnException("copying into " + dest + " of the container: " + e.getMessage(), e);
        }
    }

    /**
     * One entry a build selected from its context: {@code host} is the file on this machine,
     * {@code rel} its path inside a directory source ({@code inDirSource}) or its base name.
     */
    record Selected(Path host, String rel, boolean inDirSource, boolean directory) {}

    /**
     * Copies entries already selected (and filtered by ignore rules) by the build: a directory
     * source's entries go below {@code dest}, a file source to {@code dest} or into it when
     * {@code intoDir}. Symlinks inside a directory source stay links; directory metadata is set last.
     */
    void addSelected(List<Selected> entries, String dest, boolean intoDir) {
        try {
            List<Selected> dirs = new ArrayList<>();
            List<String> dirPaths = new ArrayList<>();
            for (Selected e : entries) {
                String cp = e.inDirSource() || intoDir ? join(dest, e.rel()) : dest;
                if (e.directory()) {
                    Path t = SafePath.resolve(root, cp);
                    if (Files.exists(t, NOFOLLOW) && !Files.isDirectory(t, NOFOLLOW)) delete(t);
                    mkdirs(cp);
                    dirs.add(e);
                    dirPaths.add(cp);
                } else if (!e.inDirSource() && options.extract() && isArchive(e.host())) {
                    addOne(e.host(), dest, true);
                } else {
                    Path parent = mkdirs(parentOf(cp));
                    copyFile(e.host(), parent.resolve(nameOf(cp)), !e.inDirSource());
                }
            }
            if (entries.isEmpty()) mkdirs(dest);
            for (int i = dirs.size() - 1; i >= 0; i--) applyMeta(dirs.get(i).host(), SafePath.resolve(root, dirPaths.get(i)), true);
        } catch (IOException e) {
            throw new KilnException("copying into " + dest + " of the container: " + e.getMessage(), e);
        }
    }

    private List<Path> expand(List<String> sources) {
        Path base = options.contextDir() != null ? options.contextDir() : Path.of("").toAbsolutePath();
        List<Path> out = new ArrayList<>();
        for (String s : sources) {
            if (s.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
                throw new InvalidInputException("'" + s + "': kiln add takes local files; URLs are not supported yet");
            }
            List<Path> matched = Glob.expand(base, s);
            if (matched.isEmpty()) {
                throw new NotFoundException("no such file or directory: " + s + " (looked in " + base + ")");
            }
            out.addAll(matched);
        }
        return out;
    }

    private boolean isDirInRoot(String dest) {
        try {
            return Files.isDirectory(SafePath.resolve(root, dest));
        } catch (IOException e) {
            return false;
        }
    }

    private void addOne(Path src, String dest, boolean intoDir) throws IOException {
        if (Files.isDirectory(src)) {
            mkdirs(dest);
            copyTree(src, dest);
        } else if (options.extract() && isArchive(src)) {
            // Read it once without writing, so a hostile or broken archive changes nothing.
            try (InputStream in = Decompressor.decompressing(new BufferedInputStream(Files.newInputStream(src), 1 << 16))) {
                LayerApplier.validate(in, SafePath.resolve(root, dest));
            } catch (InvalidInputException e) {
                throw new InvalidInputException("cannot add " + src + ": " + e.getMessage(), e);
            }
            Path target = mkdirs(dest);
            try (InputStream in = Decompressor.decompressing(new BufferedInputStream(Files.newInputStream(src), 1 << 16))) {
                LayerApplier.apply(in, target, LayerApplier.Mode.MERGE,
                        options.chown() == null ? null : new LayerApplier.Owner(owner.uid(), owner.gid()));
            }
        } else {
            String containerPath = intoDir ? join(dest, src.getFileName().toString()) : dest;
            Path parent = mkdirs(parentOf(containerPath));
            copyFile(src, parent.resolve(nameOf(containerPath)), true);
        }
    }

    /**
     * Creates the missing directories of {@code containerDir}, mode 0755, owned by the copy's
     * owner (buildah chowns what a {@code --chown} copy creates, the destination included).
     */
    private Path mkdirs(String containerDir) throws IOException {
        Path dir = SafePath.resolve(root, containerDir);
        if (Files.exists(dir, NOFOLLOW) && !Files.isDirectory(dir, NOFOLLOW)) {
            throw new InvalidInputException(containerDir + " exists in the container and is not a directory");
        }
        return SafePath.mkdirs(root, containerDir, owner.uid(), owner.gid());
    }

    /**
     * Copies a directory's contents below {@code containerDir}; the directory's own metadata does
     * not reach {@code containerDir} (buildah: a new destination is 0755, an existing one is kept).
     */
    private void copyTree(Path srcDir, String containerDir) throws IOException {
        List<Path> dirs = new ArrayList<>();
        Files.walkFileTree(srcDir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(srcDir)) {
                    Path t = SafePath.resolve(root, join(containerDir, srcDir.relativize(dir).toString()));
                    if (Files.exists(t, NOFOLLOW) && !Files.isDirectory(t, NOFOLLOW)) delete(t);
                    Files.createDirectories(t);
                    dirs.add(dir);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String cp = join(containerDir, srcDir.relativize(file).toString());
                copyFile(file, SafePath.resolve(root, parentOf(cp)).resolve(nameOf(cp)), false);
                return FileVisitResult.CONTINUE;
            }
        });
        // Directory metadata last: creating children changes their mtimes.
        for (Path d : dirs.reversed()) {
            applyMeta(d, SafePath.resolve(root, join(containerDir, srcDir.relativize(d).toString())), true);
        }
    }

    /** Copies one file; a symlink inside a copied directory stays a symlink, a top-level one is followed. */
    private void copyFile(Path src, Path target, boolean topLevel) throws IOException {
        if (Files.isDirectory(target, NOFOLLOW)) {
            throw new InvalidInputException("cannot copy file " + src + " over the directory " + root.relativize(target) + " in the container");
        }
        Files.deleteIfExists(target);
        if (!topLevel && Files.isSymbolicLink(src)) {
            Files.createSymbolicLink(target, Files.readSymbolicLink(src));
            Linux.lchown(target, owner.uid(), owner.gid());
            return;
        }
        if (!Files.isRegularFile(src)) {
            throw new InvalidInputException(src + " is not a regular file, directory or symlink; kiln copies only those");
        }
        Map<String, Object> attrs = Files.readAttributes(src, "unix:nlink,ino,dev");
        FileId inode = (int) attrs.get("nlink") > 1 ? new FileId(attrs.get("dev"), attrs.get("ino")) : null;
        Path first = inode == null ? null : copied.get(inode);
        if (first != null) {
            Files.createLink(target, first);
            return;
        }
        Files.copy(src, target, StandardCopyOption.COPY_ATTRIBUTES);
        applyMeta(src, target, false);
        if (inode != null) copied.put(inode, target);
    }

    private void applyMeta(Path src, Path target, boolean dir) throws IOException {
        int mode = (int) Files.getAttribute(src, "unix:mode") & 07777;
        Linux.lchown(target, owner.uid(), owner.gid());
        Linux.chmod(target, chmod != null ? chmod : stripSetid ? mode & ~06000 : mode);
        FileTime mtime = Files.getLastModifiedTime(src);
        long nanos = mtime.to(TimeUnit.NANOSECONDS);
        Linux.lutimes(target, nanos / 1_000_000_000L, nanos % 1_000_000_000L, nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }

    private static void delete(Path p) throws IOException {
        if (Files.isDirectory(p, NOFOLLOW)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                for (Path c : ds) delete(c);
            }
        }
        Files.delete(p);
    }

    /**
     * A tar, plain or compressed with a format kiln reads. A compressed file whose stream is
     * corrupt is an error, not a file to copy: the user asked to add an archive.
     */
    static boolean isArchive(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            boolean compressed = Decompressor.detect(raw) != dev.kiln.layer.Compression.NONE;
            try (InputStream in = Decompressor.decompressing(raw)) {
                byte[] header = in.readNBytes(512);
                return header.length == 512 && header[257] == 'u' && header[258] == 's' && header[259] == 't'
                        && header[260] == 'a' && header[261] == 'r';
            } catch (InvalidInputException e) {
                if (compressed) throw new InvalidInputException("cannot add " + file + ": " + e.getMessage(), e);
                return false;
            }
        }
    }

    static String join(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    static String parentOf(String p) {
        String s = p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p;
        int i = s.lastIndexOf('/');
        return i <= 0 ? "/" : s.substring(0, i);
    }

    static String nameOf(String p) {
        String s = p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p;
        String n = s.substring(s.lastIndexOf('/') + 1);
        if (n.isEmpty() || n.equals(".") || n.equals("..")) {
            throw new InvalidInputException("'" + p + "' does not name a file in the container");
        }
        return n;
    }
}

package dev.kiln.transport;

import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Image archives (oci-archive, docker-archive) are tars of plain files: this unpacks one into a
 * private directory, accepting only regular files and directories whose names stay inside it,
 * and writes them back. Layers inside are never unpacked here; they stay blobs.
 */
final class ArchiveFiles {
    private ArchiveFiles() {}

    /** An unpacked archive; closing deletes it. */
    record Unpacked(Path dir) implements AutoCloseable {
        @Override
        public void close() {
            deleteTree(dir);
        }
    }

    static Unpacked unpack(Path archive, Path tmpParent) {
        if (!Files.isRegularFile(archive)) throw new dev.kiln.oci.NotFoundException("no archive at " + archive);
        Path dir;
        try {
            dir = Files.createTempDirectory(tmpParent, "archive-");
        } catch (IOException e) {
            throw new KilnException("creating a temporary directory in " + tmpParent + ": " + e.getMessage(), e);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
             TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path target = inside(dir, e.getName(), archive);
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isFile()) {
                    Files.createDirectories(target.getParent());
                    long copied = Files.copy(tar, target);
                    if (copied != e.getSize()) throw truncated(archive, e.getName());
                } else {
                    throw new InvalidInputException("archive " + archive + " has entry '" + e.getName()
                            + "' that is not a plain file or directory; image archives hold only files");
                }
            }
            return new Unpacked(dir);
        } catch (IOException | RuntimeException e) {
            deleteTree(dir);
            if (e instanceof KilnException k) throw k;
            throw new InvalidInputException("reading the archive " + archive + ": " + e.getMessage()
                    + " (is it a complete tar file?)", e);
        }
    }

    /**
     * {@code e} with the unpacked directory {@code dir} in its message replaced by the archive the
     * user named: a temporary directory in the store means nothing to them.
     */
    static RuntimeException naming(RuntimeException e, Path dir, Path archive) {
        if (!(e instanceof KilnException) || e.getMessage() == null || !e.getMessage().contains(dir.toString())) return e;
        String m = e.getMessage().replace(dir.toString(), "the archive " + archive);
        return switch (e) {
            case dev.kiln.oci.NotFoundException n -> new dev.kiln.oci.NotFoundException(m, e);
            case InvalidInputException i -> new InvalidInputException(m, e);
            case dev.kiln.oci.ConflictException c -> new dev.kiln.oci.ConflictException(m);
            default -> new KilnException(m, e);
        };
    }

    private static InvalidInputException truncated(Path archive, String name) {
        return new InvalidInputException("archive " + archive + " is truncated: entry '" + name + "' is incomplete");
    }

    private static Path inside(Path dir, String unsafeName, Path archive) {
        String name = unsafeName.startsWith("./") ? unsafeName.substring(2) : unsafeName;
        Path p;
        try {
            p = dir.resolve(name).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new InvalidInputException("archive " + archive + " has an entry name no path can hold (" + e.getReason() + ")");
        }
        if (name.startsWith("/") || !p.startsWith(dir)) {
            throw new InvalidInputException("archive " + archive + " has entry '" + unsafeName
                    + "' that points outside the archive; refusing it");
        }
        return p;
    }

    /** Starts a tar stream for an image archive, written to a temporary file beside {@code target}. */
    static TarArchiveOutputStream create(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        return tar;
    }

    static void addDir(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        e.setMode(040755);
        e.setModTime(0);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    static void addFile(TarArchiveOutputStream tar, String name, long size, InputStream content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0100644);
        e.setSize(size);
        e.setModTime(0);
        tar.putArchiveEntry(e);
        long n = content.transferTo(tar);
        if (n != size) throw new KilnException("blob " + name + " changed size while being archived (" + n + " != " + size + ")");
        tar.closeArchiveEntry();
    }

    static void addBytes(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        addFile(tar, name, bytes.length, new java.io.ByteArrayInputStream(bytes));
    }

    /** Writes an archive to {@code target} through a temporary file renamed into place at the end. */
    static void writeAtomically(Path target, ArchiveBody body) {
        Path parent = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(parent);
            tmp = Files.createTempFile(parent, "." + target.getFileName() + "-", ".tmp");
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.WRITE), 1 << 16);
                 TarArchiveOutputStream tar = create(out)) {
                body.write(tar);
                tar.finish();
            }
            Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (IOException e) {
            throw new KilnException("writing the archive " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the write already failed and that error is what the user needs
                }
            }
        }
    }

    @FunctionalInterface
    interface ArchiveBody {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new KilnException("removing the temporary directory " + dir + ": " + e.getMessage(), e);
        }
    }
}

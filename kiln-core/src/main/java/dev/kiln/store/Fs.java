package dev.kiln.store;

import dev.kiln.oci.KilnException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.security.SecureRandom;

/** Small file helpers shared by the store: atomic writes, tree deletion, random names. */
final class Fs {
    private Fs() {}

    private static final SecureRandom RANDOM = new SecureRandom();

    /** 2*n random hex characters. */
    static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** A fresh path in {@code tmpDir} (not created) starting with {@code prefix}. */
    static Path tmpName(Path tmpDir, String prefix) {
        return tmpDir.resolve(prefix + randomHex(8));
    }

    /** Writes {@code bytes} to a sibling tmp file, fsyncs it, and renames it over {@code target}. */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + randomHex(6));
        try {
            writeSynced(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Replaces {@code target} by {@code bytes} atomically for readers, without fsync: for files
     * only live processes read (a lease's holds), which a crash makes meaningless anyway, and for
     * caches whose readers check what they read (a build's context digests).
     */
    static void replaceUnsynced(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + randomHex(6));
        try {
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Publishes {@code bytes} at {@code target} only if nothing is there yet, atomically (link(2)
     * fails on an existing name). Returns false if {@code target} existed.
     */
    static boolean writeIfAbsent(Path target, byte[] bytes) throws IOException {
        if (Files.exists(target)) return false;
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + randomHex(6));
        try {
            writeSynced(tmp, bytes);
            Files.createLink(target, tmp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
            out.write(bytes);
            ch.force(true);
        }
    }

    /**
     * Renames the directory {@code from} to {@code to}; false (and {@code from} untouched) when
     * {@code to} already exists and is not empty — someone else published it first.
     */
    static boolean renameDir(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + from + " to " + to + " atomically: is tmp/ on another filesystem?", e);
        } catch (java.nio.file.FileSystemException e) {
            // EEXIST or ENOTEMPTY, however the JDK spells them
            if (Files.exists(to, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return false;
            throw e;
        }
    }

    /**
     * Deletes {@code p} and everything below it, never following symlinks; absent is fine.
     * Refuses to cross into another filesystem: a forgotten overlay mount below {@code p} would
     * otherwise have its lower layers (shared snapshots) deleted through it.
     */
    static void deleteTree(Path p) throws IOException {
        try {
            deleteTreeByPath(p);
        } catch (java.nio.file.FileSystemException e) {
            if (e.getReason() == null || !e.getReason().contains("File name too long")) throw e;
            deleteDeepTree(p);
        }
    }

    /**
     * A tree nested past PATH_MAX cannot be deleted by path (java.nio has no unlinkat walk):
     * GNU rm works one directory at a time, and --one-file-system keeps the refusal to cross
     * into a mount.
     */
    private static void deleteDeepTree(Path p) throws IOException {
        Process rm = new ProcessBuilder("rm", "-rf", "--one-file-system", "--", p.toString()).redirectErrorStream(true).start();
        String out = new String(rm.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        try {
            if (rm.waitFor() != 0 || Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("deleting " + p + " (nested past PATH_MAX) with rm failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted deleting " + p, e);
        }
    }

    private static void deleteTreeByPath(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        Object dev = Files.getAttribute(p, "unix:dev", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dev.equals(Files.getAttribute(dir, "unix:dev", java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
                    throw new IOException("refusing to delete " + dir + ": another filesystem is mounted there (unmount it first)");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null && !(exc instanceof NoSuchFileException)) throw exc;
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Wraps an I/O failure into a user-facing error saying what was being done. */
    static KilnException fail(String doing, IOException e) {
        return new KilnException(doing + ": " + e.getMessage(), e);
    }
}

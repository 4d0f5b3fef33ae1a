package dev.kiln;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** How big a tar of a tree is, about: each entry's 512-byte header, file contents in whole blocks, the end. */
final class TreeSize {
    private TreeSize() {}

    static long ofTar(Path root) throws IOException {
        long[] n = {1024};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                n[0] += 512;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                n[0] += 512 + (attrs.isRegularFile() ? blocks(attrs.size()) : 0);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
        return n[0];
    }

    /** One entry: its header and, for a regular file, its content. */
    static long ofEntry(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return 512 + (a.isRegularFile() ? blocks(a.size()) : 0);
    }

    private static long blocks(long size) {
        return (size + 511) / 512 * 512;
    }
}

package dev.kiln.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Garbage that an interrupted (or still running) kiln leaves, by construction never part of an
 * image: the entries of tmp/ (ingest files, half-unpacked snapshots, containers being set up or
 * removed, run bundles) and the {@code NAME.tmp-HEX} siblings {@link Fs#writeAtomically} writes
 * before its rename. Shared by gc (which deletes those older than its grace period) and fsck
 * (which reports them).
 */
final class Leftovers {
    private Leftovers() {}

    /** Directories of tmp/ that several runs share: their children are the entries. */
    private static final Set<String> SHARED_TMP_DIRS = Set.of("bundles", "runc", "crun");
    private static final Pattern ATOMIC_TMP = Pattern.compile(".+\\.tmp-[0-9a-f]{12}");

    /** Every leftover in the store at {@code root}, tmp/ entries first. */
    static List<Path> list(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : children(root.resolve("tmp"))) {
            if (SHARED_TMP_DIRS.contains(p.getFileName().toString()) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                out.addAll(children(p));
            } else {
                out.add(p);
            }
        }
        atomicTmpFiles(root, out);
        for (String dir : List.of("containers", "compressed", "origins")) {
            for (Path sub : children(root.resolve(dir))) atomicTmpFiles(sub, out);
        }
        return out;
    }

    private static void atomicTmpFiles(Path dir, List<Path> into) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
        for (Path p : children(dir)) {
            if (ATOMIC_TMP.matcher(p.getFileName().toString()).matches()) into.add(p);
        }
    }

    /** Whether {@code p} was modified after {@code cutoff} (a publish may be in progress); absent is not young. */
    static boolean young(Path p, Instant cutoff) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return false;
        FileTime t = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        return t.toInstant().isAfter(cutoff);
    }

    static List<Path> children(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return out;
        try (var s = Files.newDirectoryStream(dir)) {
            s.forEach(out::add);
        }
        out.sort(null);
        return out;
    }
}

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
 * image: the scratch directory {@code tmp/ID/} (and files in leases/) of a {@link Lease} whose
 * process died; other entries of tmp/ (stores written before leases, the bundles/, runc/, crun/
 * of old runs); the {@code NAME.tmp-HEX} siblings {@link Fs#writeAtomically} writes before its
 * rename; {@code leases/ID.new} of a process killed while taking its lease. The scratch of a
 * live process is never listed. Shared by gc (which deletes a dead process's at once, the rest
 * once older than its grace period) and fsck (which reports them).
 */
final class Leftovers {
    private Leftovers() {}

    /**
     * One leftover. {@code deadLease}: the id of the dead process's lease it belongs to (deleting
     * it buries the whole lease), or null for an entry whose owner cannot be known.
     */
    record Entry(Path path, String deadLease) {}

    /** Directories of tmp/ that runs shared before leases: their children are the entries. */
    private static final Set<String> SHARED_TMP_DIRS = Set.of("bundles", "runc", "crun");
    private static final Pattern ATOMIC_TMP = Pattern.compile(".+\\.tmp-[0-9a-f]{12}");

    /** Every leftover in the store at {@code root}, given who is alive. */
    static List<Entry> list(Path root, Lease.Census census) throws IOException {
        List<Entry> out = new ArrayList<>();
        for (String id : census.dead()) out.add(new Entry(root.resolve("tmp").resolve(id), id));
        for (Path p : children(root.resolve("tmp"))) {
            String name = p.getFileName().toString();
            if (Lease.isLeaseId(name)) {
                if (census.live().contains(name) || census.dead().contains(name)) continue;
                // Not in the census: a lease taken since (its lock file is there and held: skip it),
                // or one whose files are gone (a close or burial that failed half-way: by age).
                if (!Lease.alive(root, name)) out.add(new Entry(p, null));
            } else if (SHARED_TMP_DIRS.contains(name) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                children(p).forEach(c -> out.add(new Entry(c, null)));
            } else {
                out.add(new Entry(p, null));
            }
        }
        atomicTmpFiles(root, out);
        for (String dir : List.of("containers", "compressed", "origins")) {
            for (Path sub : children(root.resolve(dir))) atomicTmpFiles(sub, out);
        }
        atomicTmpFiles(root.resolve("cache"), out);
        for (Path p : children(root.resolve("leases"))) {
            if (p.getFileName().toString().endsWith(".new")) out.add(new Entry(p, null));
        }
        return out;
    }

    private static void atomicTmpFiles(Path dir, List<Entry> into) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
        for (Path p : children(dir)) {
            if (ATOMIC_TMP.matcher(p.getFileName().toString()).matches()) into.add(new Entry(p, null));
        }
    }

    /** Whether {@code p} is the sibling {@link Fs#writeAtomically} writes before its rename. */
    static boolean isAtomicTmp(Path p) {
        return ATOMIC_TMP.matcher(p.getFileName().toString()).matches();
    }

    /** Deletes the leftover: a dead lease entirely, anything else as a tree. */
    static void delete(Path root, Entry e) throws IOException {
        if (e.deadLease() != null) Lease.bury(root, e.deadLease());
        else Fs.deleteTree(e.path());
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

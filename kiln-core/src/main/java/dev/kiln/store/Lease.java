package dev.kiln.store;

import dev.kiln.oci.Digest;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One open {@link Store}'s claim on the store, so garbage collection in any process knows what
 * is in use (containerd's leases, made of file locks). A lease is {@code leases/ID.lock}, which
 * its owner keeps locked (an fcntl lock: it dies with the process, however the process dies);
 * {@code leases/ID.holds}, the blobs and snapshots the owner has created or is about to
 * reference ("holds"); and {@code tmp/ID/}, the owner's scratch directory.
 *
 * <p>Protocol: an owner records a hold <em>before</em> it publishes or looks for the blob or
 * snapshot (so "it exists, I will use it" cannot race with its deletion), under a shared lock
 * on {@code gc.lock}; gc takes that lock exclusively while it decides and deletes, and spares
 * every hold of every other live lease. A lease whose lock can be taken is dead: gc deletes its
 * files and its tmp/ directory at once, whatever their age. Holds last as long as the lease (a
 * CLI process); a program keeping a store open pins what it touched, for other processes' gc,
 * until it closes it.
 */
final class Lease implements AutoCloseable {
    /** Lock files of leases this JVM owns: never opened by anyone else here (closing any fd drops a POSIX lock). */
    private static final Set<Path> OWN = ConcurrentHashMap.newKeySet();

    private final String id;
    private final Path lockFile;
    private final Path holdsFile;
    private final Path gcLock;
    private final Path tmpDir;
    private final FileChannel channel;
    private final FileLock lock;
    private final Set<Digest> holds = new LinkedHashSet<>();

    private Lease(String id, Path lockFile, Path gcLock, Path tmpDir, FileChannel channel, FileLock lock) {
        this.id = id;
        this.lockFile = lockFile;
        this.holdsFile = lockFile.resolveSibling(id + ".holds");
        this.gcLock = gcLock;
        this.tmpDir = tmpDir;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes a new lease on the store at {@code root}. */
    static Lease take(Path root) throws IOException {
        String id = Fs.randomHex(8);
        Path dir = Files.createDirectories(root.resolve("leases"));
        // Locked under a name gc ignores, then renamed: gc never sees an unlocked lease of a live process.
        Path fresh = dir.resolve(id + ".new");
        FileChannel ch = FileChannel.open(fresh, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            FileLock l = ch.lock();
            Path lockFile = dir.resolve(id + ".lock");
            Files.move(fresh, lockFile, StandardCopyOption.ATOMIC_MOVE);
            OWN.add(lockFile);
            Path tmp = Files.createDirectories(root.resolve("tmp").resolve(id));
            return new Lease(id, lockFile, root.resolve("gc.lock"), tmp, ch, l);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(fresh);
            throw e;
        }
    }

    String id() {
        return id;
    }

    /** This lease's scratch directory, tmp/ID/. */
    Path tmpDir() {
        return tmpDir;
    }

    /** Records that this lease uses {@code digests} (blobs or snapshot chain IDs); see the class comment. */
    synchronized void hold(Iterable<Digest> digests) throws IOException {
        boolean added = false;
        for (Digest d : digests) added |= holds.add(d);
        if (!added) return;
        try (StoreLock l = StoreLock.acquireShared(gcLock)) {
            StringBuilder text = new StringBuilder();
            for (Digest d : holds) text.append(d).append('\n');
            Fs.replaceUnsynced(holdsFile, text.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    synchronized Set<Digest> holds() {
        return Set.copyOf(holds);
    }

    /** Ends the lease: its holds and its tmp/ directory go (what is left there is leftovers of this process). */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(holdsFile);
            Fs.deleteTree(tmpDir);
            Files.deleteIfExists(lockFile);
        } finally {
            OWN.remove(lockFile);
            lock.release();
            channel.close();
        }
    }

    /** What gc and fsck see of the leases of a store: who is alive, what they hold. */
    record Census(Set<String> live, Set<String> dead, Set<Digest> heldByOthers) {}

    /**
     * Looks at every lease of the store at {@code root}; {@code self} (may be null) is the
     * caller's own, whose holds are left out of {@code heldByOthers}. Dead leases are reported,
     * not removed. Call under the exclusive gc.lock for an answer that stays true.
     */
    static Census census(Path root, Lease self) throws IOException {
        Set<String> live = new HashSet<>(), dead = new HashSet<>();
        Set<Digest> held = new HashSet<>();
        for (Path p : Leftovers.children(root.resolve("leases"))) {
            String name = p.getFileName().toString();
            if (!name.endsWith(".lock")) continue;
            String id = name.substring(0, name.length() - ".lock".length());
            if (!alive(p)) {
                dead.add(id);
                continue;
            }
            live.add(id);
            if (self == null || !self.id.equals(id)) held.addAll(readHolds(p.resolveSibling(id + ".holds")));
        }
        return new Census(live, dead, held);
    }

    /** Whether the lease {@code id} of the store at {@code root} has its lock file and its owner is alive. */
    static boolean alive(Path root, String id) throws IOException {
        Path lockFile = root.resolve("leases").resolve(id + ".lock");
        return Files.exists(lockFile) && alive(lockFile);
    }

    private static boolean alive(Path lockFile) throws IOException {
        if (OWN.contains(lockFile)) return true;
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) return true;
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (NoSuchFileException e) {
            return true; // closed meanwhile: it took its tmp/ with it
        }
    }

    private static List<Digest> readHolds(Path file) throws IOException {
        List<Digest> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (Digest.isDigest(line.strip())) out.add(Digest.parse(line.strip()));
            }
        } catch (NoSuchFileException e) {
            // holds nothing yet
        }
        return out;
    }

    /** Deletes what a dead lease left: its files in leases/ and its tmp/ directory. */
    static int bury(Path root, String id) throws IOException {
        int n = 0;
        Path tmp = root.resolve("tmp").resolve(id);
        if (Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)) {
            Fs.deleteTree(tmp);
            n++;
        }
        for (Path p : Leftovers.children(root.resolve("leases"))) {
            if (p.getFileName().toString().startsWith(id + ".")) Files.deleteIfExists(p);
        }
        return n;
    }

    /** Whether {@code name} (an entry of tmp/) is a lease's scratch directory name. */
    static boolean isLeaseId(String name) {
        return name.matches("[0-9a-f]{16}");
    }
}

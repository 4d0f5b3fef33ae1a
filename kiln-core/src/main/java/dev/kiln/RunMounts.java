package dev.kiln;

import dev.kiln.dockerfile.RunMount;
import dev.kiln.layer.SafePath;
import dev.kiln.linux.Linux;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.NotFoundException;
import dev.kiln.runtime.TmpfsMount;
import dev.kiln.runtime.VolumeMount;
import dev.kiln.store.TreeCopier;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;

/**
 * The mounts of one RUN of a build (issue 6), made before the command and undone after it:
 * <ul>
 *   <li>each VOLUME of the stage's config: the directory is created if missing (0755, root's)
 *       and a scratch copy of its contents is mounted over it, so what the command writes there
 *       is discarded, as buildah restores a volume after every RUN;</li>
 *   <li>{@code --mount=type=bind}: a path of the build context (the whole directory, ignore files
 *       notwithstanding, as buildah mounts it) or of another stage or image ({@code from=}),
 *       read-only by default; {@code rw} mounts a scratch copy, so neither the context nor the
 *       other image ever changes;</li>
 *   <li>{@code --mount=type=cache}: a directory of the store ({@code STORE/cache-mounts/HEX}, HEX
 *       the sha256 of the cache id, the target when no id is given) that outlives the build,
 *       created with {@code mode}, {@code uid}, {@code gid} (or seeded from {@code from}); sharing
 *       {@code locked} waits for other users, {@code private} takes a fresh scratch directory
 *       when the cache is in use;</li>
 *   <li>{@code --mount=type=tmpfs}: a tmpfs ({@code size} bytes).</li>
 * </ul>
 * {@link #close()} deletes the scratch copies, releases cache locks and the other images'
 * containers. Mount targets the command leaves untouched are removed by the runner.
 */
final class RunMounts implements AutoCloseable {
    /** Opens and releases containers of the stages and images {@code from=} names (the builder tracks them). */
    interface Images {
        WorkingContainer open(String from);

        void release(WorkingContainer ctr);
    }

    /** Cache directories in use by this process: a file lock does not exclude other threads of the same JVM. */
    private static final Map<Path, Semaphore> IN_USE = new ConcurrentHashMap<>();

    private final Kiln kiln;
    private final Images images;
    private final List<VolumeMount> binds = new ArrayList<>();
    private final List<TmpfsMount> tmpfs = new ArrayList<>();
    private final List<Path> scratch = new ArrayList<>();
    private final List<WorkingContainer> others = new ArrayList<>();
    private final List<Held> held = new ArrayList<>();

    private record Held(Semaphore inJvm, FileChannel channel, FileLock lock) {}

    private RunMounts(Kiln kiln, Images images) {
        this.kiln = kiln;
        this.images = images;
    }

    /**
     * Prepares the mounts of a RUN in {@code ctr}: its config's volumes, then {@code mounts} in
     * order. On failure everything prepared so far is undone.
     */
    static RunMounts prepare(Kiln kiln, WorkingContainer ctr, List<RunMount> mounts, Path contextRoot, Images images) {
        RunMounts m = new RunMounts(kiln, images);
        try {
            m.volumes(ctr);
            for (RunMount rm : mounts) m.add(rm, contextRoot);
            return m;
        } catch (RuntimeException e) {
            try {
                m.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    ContainerRun.Mounts mounts() {
        return new ContainerRun.Mounts(binds, tmpfs);
    }

    private void volumes(WorkingContainer ctr) {
        List<String> volumes = ctr.imageConfig().config().volumes().stream()
                .map(v -> Path.of("/").resolve(v).normalize().toString())
                .filter(v -> !v.equals("/")).distinct().sorted(Comparator.comparingInt(String::length)).toList();
        if (volumes.isEmpty()) return;
        ctr.withRoot(root -> {
            for (String v : volumes) {
                Path dir = SafePath.resolve(root, v);
                if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    throw new InvalidInputException("VOLUME " + v + " exists in the image and is not a directory");
                }
                SafePath.mkdirs(root, v, 0, 0);
                Path copy = newScratch("volume-");
                TreeCopier.copyContents(dir, copy);
                binds.add(new VolumeMount(copy, v, false));
            }
        });
    }

    private void add(RunMount m, Path contextRoot) {
        switch (m.type()) {
            case BIND -> bind(m, target(m), contextRoot);
            case CACHE -> cache(m, target(m));
            case TMPFS -> tmpfs.add(new TmpfsMount(target(m), m.size()));
            case SECRET, SSH -> throw new InvalidInputException("--mount=type=" + m.type().name().toLowerCase(java.util.Locale.ROOT)
                    + " is not supported yet (kiln build takes no --secret or --ssh)");
        }
    }

    private static String target(RunMount m) {
        if (!m.target().startsWith("/")) {
            throw new InvalidInputException("--mount target '" + m.target() + "' must be an absolute path");
        }
        String t = Path.of(m.target()).normalize().toString();
        if (t.equals("/")) throw new InvalidInputException("--mount target cannot be /");
        return t;
    }

    private void bind(RunMount m, String target, Path contextRoot) {
        String source = m.source() == null ? "/" : m.source();
        Path root = m.from() == null ? contextRoot : other(m.from());
        try {
            Path host = SafePath.resolve(root, source);
            if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
                throw new NotFoundException("--mount source '" + source + "' not found in "
                        + (m.from() == null ? "the build context" : m.from()));
            }
            if (m.readOnly()) {
                binds.add(new VolumeMount(host, target, true));
            } else {
                binds.add(new VolumeMount(scratchCopy(host), target, false));
            }
        } catch (IOException e) {
            throw new KilnException("--mount source '" + source + "': " + e.getMessage(), e);
        }
    }

    /** The root of a mounted container of stage or image {@code from}, released on close. */
    private Path other(String from) {
        WorkingContainer ctr = images.open(from);
        others.add(ctr);
        return ctr.mount();
    }

    /** A scratch copy of {@code host} (a directory's contents, or a file), to mount read-write. */
    private Path scratchCopy(Path host) throws IOException {
        Path dir = newScratch("bind-");
        if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
            TreeCopier.copyContents(host, dir);
            return dir;
        }
        Path file = dir.resolve("file");
        Files.copy(host, file, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        Linux.lchown(file, (int) Files.getAttribute(host, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                (int) Files.getAttribute(host, "unix:gid", LinkOption.NOFOLLOW_LINKS));
        return file;
    }

    private void cache(RunMount m, String target) {
        try {
            Path dir = cacheDir(m);
            Semaphore inJvm = IN_USE.computeIfAbsent(dir, d -> new Semaphore(1));
            switch (m.sharing()) {
                case SHARED -> { }
                case LOCKED -> {
                    inJvm.acquireUninterruptibly();
                    lock(dir, inJvm, true);
                }
                case PRIVATE -> {
                    if (!inJvm.tryAcquire() || !lock(dir, inJvm, false)) dir = freshCache(m, newScratch("cache-"));
                }
            }
            binds.add(new VolumeMount(dir, target, m.readOnly()));
        } catch (IOException e) {
            throw new KilnException("--mount=type=cache,target=" + target + ": " + e.getMessage(), e);
        }
    }

    /** The cache's directory in the store, made (atomically, by rename) on first use. */
    private Path cacheDir(RunMount m) throws IOException {
        Path dir = kiln.store().root().resolve("cache-mounts").resolve(sha256(m.cacheId()));
        if (Files.isDirectory(dir)) return dir;
        Files.createDirectories(dir.getParent());
        Path fresh = freshCache(m, Files.createTempDirectory(kiln.store().tmpDir(), "cache-"));
        try {
            Files.move(fresh, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException raced) {
            deleteTree(fresh);
            if (!Files.isDirectory(dir)) throw raced;
        }
        return dir;
    }

    /** Fills an empty directory as a new cache: seeded from {@code from} if given, else empty; mode, uid, gid applied. */
    private Path freshCache(RunMount m, Path dir) throws IOException {
        if (m.from() != null) {
            Path seed = SafePath.resolve(other(m.from()), m.source() == null ? "/" : m.source());
            if (Files.isDirectory(seed)) TreeCopier.copyContents(seed, dir);
        }
        if (m.from() == null || m.uid() != null || m.gid() != null) {
            Linux.lchown(dir, m.uid() == null ? 0 : m.uid(), m.gid() == null ? 0 : m.gid());
        }
        if (m.from() == null || m.mode() != null) Linux.chmod(dir, m.mode() == null ? 0755 : m.mode());
        return dir;
    }

    /** Takes the cache's file lock (blocking or not); false when {@code wait} is false and another process has it. */
    private boolean lock(Path dir, Semaphore inJvm, boolean wait) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolveSibling(dir.getFileName() + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = wait ? ch.lock() : ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException heldHere) {
            // Another lock of this JVM (not one of ours: IN_USE guards those) holds it.
            if (wait) {
                ch.close();
                inJvm.release();
                throw new KilnException("the cache " + dir + " is locked by another build in this process", heldHere);
            }
            lock = null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            inJvm.release();
            throw e;
        }
        if (lock == null) {
            ch.close();
            inJvm.release();
            return false;
        }
        held.add(new Held(inJvm, ch, lock));
        return true;
    }

    private Path newScratch(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(kiln.store().tmpDir(), prefix);
        scratch.add(dir);
        return dir;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes the scratch copies, releases the cache locks and the other images' containers; the first failure is thrown. */
    @Override
    public void close() {
        KilnException failure = null;
        for (Path p : scratch) {
            try {
                deleteTree(p);
            } catch (IOException e) {
                failure = first(failure, new KilnException("removing the scratch copy " + p + ": " + e.getMessage(), e));
            }
        }
        scratch.clear();
        for (Held h : held) {
            try {
                h.lock().release();
                h.channel().close();
            } catch (IOException e) {
                failure = first(failure, new KilnException("releasing a cache lock: " + e.getMessage(), e));
            } finally {
                h.inJvm().release();
            }
        }
        held.clear();
        for (WorkingContainer c : others) {
            try {
                images.release(c);
            } catch (RuntimeException e) {
                failure = first(failure, new KilnException("removing the container of a --mount from: " + e.getMessage(), e));
            }
        }
        others.clear();
        if (failure != null) throw failure;
    }

    private static KilnException first(KilnException current, KilnException next) {
        if (current == null) return next;
        current.addSuppressed(next);
        return current;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }
}

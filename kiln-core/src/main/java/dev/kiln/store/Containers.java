package dev.kiln.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.layer.Change;
import dev.kiln.layer.LayerOptions;
import dev.kiln.oci.ConflictException;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.NotFoundException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Working containers: {@code containers/<id>/state.json} plus the driver's directories. A
 * container is set up in tmp/ and renamed into containers/ (under containers.lock, which also
 * keeps names unique); state.json is replaced atomically on every save; removal unmounts, renames
 * the directory into tmp/ and deletes it there, so a crash never leaves a half container.
 */
public final class Containers {
    private final Path dir;
    private final Store store;
    private final Path lockFile;
    private final Snapshots snapshots;
    private final SnapshotDriver driver;

    Containers(Path root, Store store, Snapshots snapshots, SnapshotDriver driver) {
        this.dir = root.resolve("containers");
        this.store = store;
        this.lockFile = root.resolve("containers.lock");
        this.snapshots = snapshots;
        this.driver = driver;
    }

    /**
     * Creates a container named {@code name} (ConflictException if taken) on {@code baseLayers}
     * (bottom first; empty for scratch), unpacking missing snapshots first.
     */
    public ContainerState create(String name, String imageName, String imageManifest, List<LayerRef> baseLayers,
                                 JsonNode config, Map<String, String> extra) {
        if (name == null || name.isBlank()) throw new InvalidInputException("a container name may not be empty");
        if (imageManifest != null) store.hold(List.of(dev.kiln.oci.Digest.parse(imageManifest)));
        snapshots.ensure(baseLayers);
        ContainerState state = new ContainerState(Fs.randomHex(32), name, imageName, imageManifest, baseLayers, config,
                Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), extra);
        Path work = store.tmpDir().resolve("container-" + state.id());
        try {
            Files.createDirectories(work);
            driver.create(work, dir.resolve(state.id()), snapshots.lowerDirs(baseLayers));
            Json.writeAtomically(work.resolve("state.json"), state.toJson());
            try (StoreLock l = StoreLock.acquire(lockFile)) {
                if (byName(name).isPresent()) {
                    throw new ConflictException("the container name \"" + name + "\" is already in use by "
                            + byName(name).get().id().substring(0, 12) + ": pick another --name or remove that container");
                }
                Files.createDirectories(dir);
                Files.move(work, dir.resolve(state.id()), StandardCopyOption.ATOMIC_MOVE);
            }
            return state;
        } catch (IOException e) {
            throw Fs.fail("creating container " + name, e);
        } finally {
            deleteQuietly(work);
        }
    }

    /** {@code base} if no container has that name, else the first free of {@code base-1}, {@code base-2} … (as buildah). */
    public String uniqueName(String base) {
        List<String> taken = list().stream().map(ContainerState::name).toList();
        if (!taken.contains(base)) return base;
        for (int i = 1; ; i++) {
            String candidate = base + "-" + i;
            if (!taken.contains(candidate)) return candidate;
        }
    }

    /** By exact name, then exact id, then unique id prefix (ConflictException if the prefix is ambiguous). */
    public Optional<ContainerState> find(String nameOrIdOrIdPrefix) {
        List<ContainerState> all = list();
        for (ContainerState c : all) if (c.name().equals(nameOrIdOrIdPrefix)) return Optional.of(c);
        for (ContainerState c : all) if (c.id().equals(nameOrIdOrIdPrefix)) return Optional.of(c);
        if (!nameOrIdOrIdPrefix.matches("[0-9a-f]{3,63}")) return Optional.empty();
        List<ContainerState> hits = all.stream().filter(c -> c.id().startsWith(nameOrIdOrIdPrefix)).toList();
        if (hits.size() > 1) {
            throw new ConflictException("container id prefix " + nameOrIdOrIdPrefix + " is ambiguous ("
                    + hits.size() + " containers): give more characters or the name");
        }
        return hits.stream().findFirst();
    }

    public ContainerState get(String nameOrIdOrIdPrefix) {
        return find(nameOrIdOrIdPrefix).orElseThrow(() -> new NotFoundException(
                "no container named " + nameOrIdOrIdPrefix + " (list them with kiln containers)"));
    }

    /** Every container, oldest first. */
    public List<ContainerState> list() {
        List<ContainerState> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (var s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                try {
                    out.add(ContainerState.fromJson(Json.readObject(p.resolve("state.json"))));
                } catch (NoSuchFileException e) {
                    // removed meanwhile
                }
            }
        } catch (IOException e) {
            throw Fs.fail("listing containers in " + dir, e);
        }
        out.sort(Comparator.comparing(ContainerState::created).thenComparing(ContainerState::id));
        return out;
    }

    private Optional<ContainerState> byName(String name) {
        return list().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** Replaces the container's state.json atomically. Renames are refused if the new name is taken. */
    public void save(ContainerState state) {
        Path d = dir(state);
        try (StoreLock l = StoreLock.acquire(lockFile)) {
            if (!Files.isDirectory(d)) throw new NotFoundException("container " + state.id() + " no longer exists");
            Optional<ContainerState> other = byName(state.name());
            if (other.isPresent() && !other.get().id().equals(state.id())) {
                throw new ConflictException("the container name \"" + state.name() + "\" is already in use by "
                        + other.get().id().substring(0, 12));
            }
            Json.writeAtomically(d.resolve("state.json"), state.toJson());
        } catch (IOException e) {
            throw Fs.fail("saving container " + state.name(), e);
        }
    }

    public Path dir(ContainerState state) {
        return dir.resolve(state.id());
    }

    /** Mounts the container's root filesystem (idempotent) and returns it. */
    public Path mount(ContainerState state) {
        try {
            return driver.mount(dir(state));
        } catch (IOException e) {
            throw Fs.fail("mounting container " + state.name(), e);
        }
    }

    public void unmount(ContainerState state) {
        try {
            driver.unmount(dir(state));
        } catch (IOException e) {
            throw Fs.fail("unmounting container " + state.name(), e);
        }
    }

    public List<Change> changes(ContainerState state) {
        try {
            return driver.changes(dir(state));
        } catch (IOException e) {
            throw Fs.fail("listing the changes of container " + state.name(), e);
        }
    }

    /** Writes the container's changes as an uncompressed layer tar to {@code out} (not closed). */
    public void writeDiff(ContainerState state, OutputStream out, LayerOptions opts) {
        try {
            driver.writeDiff(dir(state), out, opts);
        } catch (IOException e) {
            throw Fs.fail("writing the changes of container " + state.name(), e);
        }
    }

    /**
     * After the container's changes were committed as the top of {@code newLayers}: makes that
     * layer's snapshot from the container itself (no unpacking; see
     * {@link SnapshotDriver#takeSnapshot}) and lets the container continue on it with no changes
     * of its own, its base now the image {@code manifest}. A build's step does this between
     * instructions, so the next step's layer holds only its own changes. Returns the new state.
     */
    public ContainerState advance(ContainerState state, String manifest, List<LayerRef> newLayers) {
        Path d = dir(state);
        try {
            driver.unmount(d);
            snapshots.adopt(newLayers, fs -> driver.takeSnapshot(d, fs));
            driver.rebase(d, snapshots.lowerDirs(newLayers));
        } catch (IOException e) {
            throw Fs.fail("moving container " + state.name() + " onto its new layer", e);
        }
        ContainerState next = new ContainerState(state.id(), state.name(), null, manifest, newLayers, state.config(),
                state.created(), state.extra());
        save(next);
        return next;
    }

    /** Unmounts, renames the directory into tmp/, deletes it there. Absent is fine. */
    public void remove(ContainerState state) {
        remove(state.id(), state.name());
    }

    /** {@link #remove(ContainerState)} by directory name, for a container whose state.json is unreadable (fsck --repair). */
    public void removeDirectory(String dirName) {
        if (!dirName.matches("[0-9a-zA-Z_.-]+") || dirName.startsWith(".")) {
            throw new InvalidInputException("'" + dirName + "' is not a container directory name");
        }
        remove(dirName, dirName);
    }

    private void remove(String dirName, String what) {
        Path d = dir.resolve(dirName);
        Path doomed = store.tmpDir().resolve("rm-container-" + dirName);
        try {
            driver.unmount(d);
            try (StoreLock l = StoreLock.acquire(lockFile)) {
                if (!Files.exists(d)) return;
                Files.move(d, doomed, StandardCopyOption.ATOMIC_MOVE);
            }
            driver.remove(doomed);
        } catch (IOException e) {
            throw Fs.fail("removing container " + what, e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Fs.deleteTree(p);
        } catch (IOException | KilnException ignored) {
            // a leftover in tmp/ is gc's to remove
        }
    }
}

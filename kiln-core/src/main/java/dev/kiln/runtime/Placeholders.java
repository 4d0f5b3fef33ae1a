package dev.kiln.runtime;

import dev.kiln.layer.SafePath;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Mount points kiln creates in a rootfs before a run and removes afterwards when the command left
 * them untouched, so they never show up in a diff or a layer (issue 4, "Clean diffs"; buildah
 * 1.28 leaves them behind). kiln creates them itself rather than letting the runtime do it, so it
 * knows exactly which ones are its own and their modification times.
 */
final class Placeholders {
    /** A mount target: a directory, or a regular file for a bind mount of a file. */
    record Target(String containerPath, boolean directory) {}

    private record Created(Path hostPath, String containerPath, boolean directory, FileTime mtime) {}

    private final Path rootfs;
    private final List<Created> created = new ArrayList<>();

    private Placeholders(Path rootfs) {
        this.rootfs = rootfs;
    }

    /** Creates every missing target and missing parent directory, parents first. */
    static Placeholders create(Path rootfs, List<Target> targets) {
        Placeholders p = new Placeholders(rootfs);
        try {
            for (Target t : targets) p.createOne(t);
        } catch (IOException e) {
            p.removeUntouched(Map.of());
            throw new KilnException("creating mount points in " + rootfs + ": " + e.getMessage(), e);
        }
        return p;
    }

    private void createOne(Target t) throws IOException {
        Path resolved = SafePath.resolve(rootfs, t.containerPath());
        if (Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) return;
        Path rel = rootfs.relativize(resolved);
        Path dir = rootfs;
        for (int i = 0; i < rel.getNameCount() - 1; i++) {
            dir = dir.resolve(rel.getName(i));
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(dir);
                record(dir, true);
            }
        }
        if (t.directory()) Files.createDirectory(resolved);
        else Files.createFile(resolved);
        record(resolved, t.directory());
    }

    private void record(Path hostPath, boolean directory) throws IOException {
        Files.setPosixFilePermissions(hostPath, java.nio.file.attribute.PosixFilePermissions.fromString(directory ? "rwxr-xr-x" : "rw-r--r--"));
        String containerPath = "/" + rootfs.relativize(hostPath);
        created.add(new Created(hostPath, containerPath, directory, Files.getLastModifiedTime(hostPath, LinkOption.NOFOLLOW_LINKS)));
    }

    /** Whether kiln created {@code containerPath} (so the image did not have it). */
    boolean created(String containerPath) {
        return created.stream().anyMatch(c -> c.containerPath().equals(containerPath));
    }

    /**
     * Removes, deepest first, each placeholder the command left untouched and returns their
     * container paths. A file placeholder whose bind-mount source in {@code bindSources} was
     * changed by the command (it wrote /etc/hosts, say) takes that content and stays.
     */
    List<String> removeUntouched(Map<String, BindSource> bindSources) {
        List<String> removed = new ArrayList<>();
        for (Created c : created.reversed()) {
            try {
                if (!Files.exists(c.hostPath(), LinkOption.NOFOLLOW_LINKS)) continue;
                if (c.directory() ? isEmptyDirectory(c.hostPath()) : isUntouchedFile(c, bindSources.get(c.containerPath()))) {
                    Files.delete(c.hostPath());
                    removed.add(c.containerPath());
                }
            } catch (IOException e) {
                throw new KilnException("removing mount point " + c.containerPath() + " from " + rootfs + ": " + e.getMessage(), e);
            }
        }
        return removed.reversed();
    }

    /** A file kiln bind-mounted over a placeholder, and the bytes it wrote there. */
    record BindSource(Path file, byte[] written) {}

    private static boolean isEmptyDirectory(Path p) throws IOException {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return false;
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        }
    }

    private static boolean isUntouchedFile(Created c, BindSource source) throws IOException {
        Path p = c.hostPath();
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.size(p) != 0) return false;
        if (!Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).equals(c.mtime())) return false;
        if (source != null && Files.isRegularFile(source.file())) {
            byte[] now = Files.readAllBytes(source.file());
            if (!Arrays.equals(now, source.written())) {
                Files.write(p, now);
                return false;
            }
        }
        return true;
    }
}

package dev.kiln.store;

import dev.kiln.layer.Change;
import dev.kiln.layer.Changes;
import dev.kiln.layer.LayerApplier;
import dev.kiln.layer.LayerOptions;
import dev.kiln.layer.LayerWriter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Plain copies, for kernels or filesystems without overlay. A snapshot is the full tree of its
 * layers (the parent's tree copied, then the layer merged in); a container's {@code rootfs/} is a
 * full copy of its top snapshot. Changes are found by comparing rootfs/ with that snapshot.
 */
public final class VfsDriver implements SnapshotDriver {
    @Override
    public boolean layersStandAlone() {
        return false;
    }

    @Override
    public String name() {
        return "vfs";
    }

    @Override
    public void buildSnapshot(Path fs, Path parentFs, InputStream tar) throws IOException {
        if (parentFs != null) TreeCopier.copyContents(parentFs, fs);
        LayerApplier.apply(tar, fs, LayerApplier.Mode.MERGE, null);
    }

    @Override
    public void create(Path containerDir, Path publishedAt, List<Path> lowerDirsTopFirst) throws IOException {
        Path rootfs = containerDir.resolve("rootfs");
        Files.createDirectories(rootfs);
        Files.createDirectories(containerDir.resolve("empty"));
        if (!lowerDirsTopFirst.isEmpty()) TreeCopier.copyContents(lowerDirsTopFirst.getFirst(), rootfs);
        Lowers.write(containerDir, publishedAt, lowerDirsTopFirst.isEmpty() ? List.of() : List.of(lowerDirsTopFirst.getFirst()));
    }

    @Override
    public Path mount(Path containerDir) {
        return containerDir.resolve("rootfs");
    }

    @Override
    public void unmount(Path containerDir) {
        // Nothing is mounted.
    }

    @Override
    public List<Change> changes(Path containerDir) throws IOException {
        return Changes.compare(base(containerDir), containerDir.resolve("rootfs"));
    }

    @Override
    public void writeDiff(Path containerDir, OutputStream out, LayerOptions opts) throws IOException {
        Path rootfs = containerDir.resolve("rootfs");
        LayerWriter.writeChanges(rootfs, Changes.compare(base(containerDir), rootfs), out, opts);
    }

    @Override
    public void takeSnapshot(Path containerDir, Path snapshotFs) throws IOException {
        Files.createDirectories(snapshotFs);
        TreeCopier.copyContents(containerDir.resolve("rootfs"), snapshotFs);
    }

    @Override
    public void rebase(Path containerDir, List<Path> lowersTopFirst) throws IOException {
        // rootfs/ already is the new top snapshot's tree; only the base it is compared with moves.
        Lowers.write(containerDir, containerDir, lowersTopFirst.isEmpty() ? List.of() : List.of(lowersTopFirst.getFirst()));
    }

    @Override
    public void remove(Path containerDir) throws IOException {
        Fs.deleteTree(containerDir);
    }

    private static Path base(Path containerDir) throws IOException {
        List<Path> lowers = Lowers.read(containerDir);
        return lowers.isEmpty() ? containerDir.resolve("empty") : lowers.getFirst();
    }

    @Override
    public void dropBareCopyUps(Path containerDir, List<String> dirs) {
        // vfs diffs by metadata and content; a directory whose only change is its mtime is not a change.
    }
}

package dev.kiln;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layer.Change;
import dev.kiln.layer.LayerOptions;
import dev.kiln.layer.LayerWriter;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.store.ContainerState;
import dev.kiln.store.Store;
import dev.kiln.runtime.RunSpec;
import dev.kiln.runtime.Runner;
import dev.kiln.runtime.Stdio;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A working container: a base image plus a writable layer, kept between processes (its state is
 * a file in the store), so {@code from}, {@code add}, {@code mount} and {@code commit} can be
 * separate commands. Obtained from {@link Kiln#from} or {@link Kiln#container}.
 */
public final class WorkingContainer {
    static final String ANNOTATION = "annotation.";
    static final String MOUNTED = "mounted";
    static final String CREATED_BY = "createdBy";

    private final Kiln kiln;
    private ContainerState state;

    WorkingContainer(Kiln kiln, ContainerState state) {
        this.kiln = kiln;
        this.state = state;
    }

    public String id() {
        return state.id();
    }

    public String name() {
        return state.name();
    }

    private Store store() {
        return kiln.store();
    }

    private Path dir() {
        return store().containers().dir(state);
    }

    ContainerState state() {
        return state;
    }

    /**
     * Copies files, directories and globs into the container at {@code dest} (relative to the
     * working directory when not absolute). With {@code options.extract()}, local archives are
     * extracted instead of copied. A missing source fails before anything is copied.
     */
    public void add(List<String> sources, String dest, CopyOptions options) {
        String target = destination(dest);
        withRoot(root -> new Adder(root, options).add(sources, target));
    }

    /**
     * {@code dest} made absolute against the working directory and cleaned; a destination that
     * names a directory ({@code .}, {@code ..}, a trailing {@code /}, {@code /.}) keeps a trailing slash.
     */
    private String destination(String dest) {
        String abs = dest.startsWith("/") ? dest : Adder.join(workingDir(), dest);
        boolean dir = abs.endsWith("/") || abs.endsWith("/.") || abs.endsWith("/..");
        String clean = Path.of(abs).normalize().toString();
        return dir && !clean.endsWith("/") ? clean + "/" : clean;
    }

    private String workingDir() {
        String wd = imageConfig().config().workingDir();
        return wd == null || wd.isEmpty() ? "/" : wd;
    }

    /** Applies config edits; they go into the next commit. */
    public void config(ConfigChange change) {
        ImageConfig edited = ConfigEditor.apply(imageConfig(), change);
        Map<String, String> extra = new LinkedHashMap<>(state.extra());
        if (change.annotations() != null && !change.annotations().isEmpty()) {
            Map<String, String> edits = ConfigEditor.editAnnotations(annotations(), change.annotations());
            extra.keySet().removeIf(k -> k.startsWith(ANNOTATION));
            edits.forEach((k, v) -> extra.put(ANNOTATION + k, v));
        }
        if (change.createdBy() != null) extra.put(CREATED_BY, change.createdBy());
        save(with(Json.tree(edited.toJson()), extra));
    }

    /** The build's edits: replaces the image config (no ConfigChange string round trip). */
    void editConfig(java.util.function.UnaryOperator<ImageConfig> edit) {
        save(with(Json.tree(edit.apply(imageConfig()).toJson()), state.extra()));
    }

    /**
     * Copies entries a build selected from its context (see {@link Adder#addSelected}); setuid and
     * setgid bits are cleared, as buildah's build does for context files.
     */
    void addSelected(List<Adder.Selected> entries, String dest, boolean intoDir, CopyOptions options) {
        String target = destination(dest);
        boolean into = intoDir || target.endsWith("/");
        withRoot(root -> {
            boolean dirThere = java.nio.file.Files.isDirectory(dev.kiln.layer.SafePath.resolve(root, target));
            new Adder(root, options, true).addSelected(entries, target, into || dirThere);
        });
    }

    /**
     * Creates the config's working directory if missing, owned by the config's user, as buildah's
     * build does before each COPY, ADD and RUN (a WORKDIR nothing follows is never created); root's
     * when the user is not in the image (buildah does not fail the COPY for it).
     */
    void ensureWorkingDir() {
        var c = imageConfig().config();
        if (c.workingDir() == null || c.workingDir().isEmpty()) return;
        withRoot(root -> {
            int uid = 0;
            int gid = 0;
            try {
                var user = dev.kiln.runtime.Users.resolve(root, c.user());
                uid = user.uid();
                gid = user.gid();
            } catch (dev.kiln.oci.InvalidInputException unknownUser) {
                // root's, as buildah
            }
            dev.kiln.layer.SafePath.mkdirs(root, c.workingDir(), uid, gid);
        });
    }

    ImageConfig imageConfig() {
        return ImageConfig.parse(Json.bytes(state.config()));
    }

    Map<String, String> annotations() {
        Map<String, String> out = new LinkedHashMap<>();
        state.extra().forEach((k, v) -> {
            if (k.startsWith(ANNOTATION)) out.put(k.substring(ANNOTATION.length()), v);
        });
        return out;
    }

    /** Mounts the container's root filesystem and returns its path; it stays mounted until {@link #unmount}. */
    public Path mount() {
        try {
            Path root = store().driver().mount(dir());
            if (!state.extra().containsKey(MOUNTED)) {
                Map<String, String> extra = new LinkedHashMap<>(state.extra());
                extra.put(MOUNTED, "true");
                save(with(state.config(), extra));
            }
            return root;
        } catch (IOException e) {
            throw new KilnException("mounting container " + name() + ": " + e.getMessage(), e);
        }
    }

    public void unmount() {
        try {
            store().driver().unmount(dir());
            if (state.extra().containsKey(MOUNTED)) {
                Map<String, String> extra = new LinkedHashMap<>(state.extra());
                extra.remove(MOUNTED);
                save(with(state.config(), extra));
            }
        } catch (IOException e) {
            throw new KilnException("unmounting container " + name() + ": " + e.getMessage(), e);
        }
    }

    boolean isMounted() {
        return state.extra().containsKey(MOUNTED);
    }

    /** Runs {@code work} with the root mounted, unmounting afterwards unless the user had mounted it. */
    void withRoot(RootWork work) {
        boolean wasMounted = isMounted();
        try {
            Path root = store().driver().mount(dir());
            try {
                work.run(root);
            } finally {
                if (!wasMounted) store().driver().unmount(dir());
            }
        } catch (IOException e) {
            throw new KilnException("working in container " + name() + ": " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    interface RootWork {
        void run(Path root) throws IOException;
    }

    /**
     * Runs a command in the container, kiln's own stdin, stdout and stderr passing straight
     * through (the CLI's case), and returns its exit code (127: not found, 128+N: killed by
     * signal N). What the command writes stays in the container for the next commit; the
     * runtime's mount points and placeholders do not.
     */
    public int run(RunOptions options) {
        return run(options, Stdio.inherit());
    }

    /**
     * Runs a command in the container with explicit streams ({@code stdin} may be null: the
     * command reads EOF; the outputs are not closed) and returns its exit code.
     */
    public int run(RunOptions options, InputStream stdin, OutputStream stdout, OutputStream stderr) {
        return run(options, Stdio.streams(stdin, stdout, stderr));
    }

    /** As {@link #run(RunOptions, InputStream, OutputStream, OutputStream)}, with a build's own mounts (RUN --mount, VOLUMEs). */
    int run(RunOptions options, ContainerRun.Mounts mounts, InputStream stdin, OutputStream stdout, OutputStream stderr) {
        return run(options, mounts, Stdio.streams(stdin, stdout, stderr));
    }

    private int run(RunOptions options, Stdio stdio) {
        return run(options, ContainerRun.Mounts.NONE, stdio);
    }

    private int run(RunOptions options, ContainerRun.Mounts mounts, Stdio stdio) {
        boolean wasMounted = isMounted();
        int[] code = new int[1];
        withRoot(root -> {
            RunSpec spec = ContainerRun.spec(root, imageConfig(), options, store().tmpDir(), mounts);
            code[0] = new Runner().run(spec, stdio).exitCode();
        });
        dropBareCopyUps(ContainerRun.mountPointParents(options, mounts), wasMounted);
        return code[0];
    }

    /**
     * The runner removed its untouched mount points, but on overlay creating them copied their
     * parent directories (/etc for /etc/hosts) up; those must not reach the next layer (issue 4,
     * "Clean diffs"). The upper may only be edited unmounted, so a user's mount is released and
     * made again; if it is busy, the copy-ups stay (diff hides them; a layer lists the bare
     * directories with a new mtime, as buildah's do).
     */
    private void dropBareCopyUps(List<String> dirs, boolean wasMounted) {
        try {
            if (wasMounted) {
                try {
                    store().driver().unmount(dir());
                } catch (IOException busy) {
                    return;
                }
            }
            try {
                store().driver().dropBareCopyUps(dir(), dirs);
            } finally {
                if (wasMounted) store().driver().mount(dir());
            }
        } catch (IOException e) {
            throw new KilnException("cleaning mount points out of container " + name() + ": " + e.getMessage(), e);
        }
    }

    /** Changes since {@code from}, sorted by path. */
    public List<FileChange> diff() {
        try {
            return toFileChanges(store().driver().changes(dir()));
        } catch (IOException e) {
            throw new KilnException("listing the changes of container " + name() + ": " + e.getMessage(), e);
        }
    }

    static List<FileChange> toFileChanges(List<Change> changes) {
        List<FileChange> out = new ArrayList<>();
        for (Change c : changes) out.add(new FileChange(c.kind().letter().charAt(0), c.path()));
        return out;
    }

    /**
     * Commits the base layers plus one layer of every change since {@code from} (or, with
     * squash, one layer of the whole tree) as an image, named {@code name} (null: unnamed). The
     * container stays as it is unless {@code options.remove()}.
     */
    public CommitResult commit(String name, CommitOptions options) {
        String fullName = name == null ? null : LocalImages.normalize(name);
        LayerOptions lo = new LayerOptions(options.timestamp());
        Committer.ContainerSnapshot snap = new Committer.ContainerSnapshot(imageConfig(), baseLayerDescriptors(),
                annotations(), state.extra().get(CREATED_BY));
        Committer committer = new Committer(store());
        Committer.Written w;
        try {
            if (options.squash()) {
                Committer.Written[] out = new Committer.Written[1];
                withRoot(root -> out[0] = committer.commit(snap, options, o -> LayerWriter.writeTree(root, o, lo)));
                w = out[0];
            } else {
                w = committer.commit(snap, options, o -> store().driver().writeDiff(dir(), o, lo));
            }
            Descriptor m = w.manifest();
            if (fullName != null) {
                store().images().tag(fullName, m.mediaType(), m.digest(), m.size());
            } else {
                store().images().addUnnamed(m.mediaType(), m.digest(), m.size());
            }
        } catch (RuntimeException e) {
            store().discard(committer.published()); // what this commit published and nothing else uses: the store is as it was
            throw StoreSpace.explain(e, store(), "committing " + name(), () -> layerSizeEstimate(options.squash()));
        }
        if (options.remove()) kiln.removeContainer(id());
        return new CommitResult(w.imageId(), w.manifest().digest(), fullName);
    }

    /** About the size of the layer a commit writes: the changes (or with squash the whole tree) as a tar. */
    private long layerSizeEstimate(boolean squash) {
        long[] size = {0};
        try {
            if (squash) {
                withRoot(root -> size[0] = TreeSize.ofTar(root));
            } else if (store().driver() instanceof dev.kiln.store.OverlayDriver) {
                size[0] = TreeSize.ofTar(dir().resolve("upper"));
            } else {
                Path rootfs = store().driver().mount(dir());
                for (Change c : store().driver().changes(dir())) size[0] += TreeSize.ofEntry(rootfs.resolve(c.path().substring(1)));
            }
        } catch (IOException | RuntimeException e) {
            return size[0]; // an estimate for an error message: what could be counted
        }
        return size[0];
    }

    /**
     * A build step's commit: the changes since the last step as one layer (none when
     * {@code layer} is false: the config alone), {@code emptySteps} as empty_layer history
     * entries before it, published unnamed; then the container goes on from the new image, the
     * layer's snapshot taken from the container itself (no unpacking), so the next step's layer
     * holds only that step's changes.
     */
    Committer.Written commitStep(CommitOptions options, List<String> emptySteps, boolean layer, List<String> emptyAfter) {
        LayerOptions lo = new LayerOptions(options.timestamp());
        Committer.ContainerSnapshot snap = new Committer.ContainerSnapshot(imageConfig(), baseLayerDescriptors(),
                annotations(), state.extra().get(CREATED_BY));
        Committer committer = new Committer(store());
        Committer.Written w;
        try {
            w = committer.commit(snap, options, layer ? o -> store().driver().writeDiff(dir(), o, lo) : null, emptySteps, emptyAfter);
            boolean isNew = store().images().byManifest(w.manifest().digest()).isEmpty();
            store().images().addUnnamed(w.manifest().mediaType(), w.manifest().digest(), w.manifest().size());
            if (isNew) kiln.journalStep(w.manifest().digest());
        } catch (RuntimeException e) {
            store().discard(committer.published());
            throw e; // Kiln.build says what a build that ran out of space needed
        }
        Descriptor m = w.manifest();
        // The next step edits the config just committed (its rootfs and history now include this step).
        com.fasterxml.jackson.databind.JsonNode committed = Json.tree(store().blobs().read(new Digest("sha256", w.imageId())));
        ContainerState edited = new ContainerState(state.id(), state.name(), state.imageName(), state.imageManifest(),
                state.baseLayers(), committed, state.created(), state.extra());
        if (w.layer() != null) {
            List<dev.kiln.store.LayerRef> layers = new ArrayList<>(state.baseLayers());
            layers.add(new dev.kiln.store.LayerRef(w.layer().diffId(), w.layer().blob().digest()));
            state = store().containers().advance(edited, m.digest().toString(), layers);
        } else {
            save(new ContainerState(state.id(), state.name(), null, m.digest().toString(), state.baseLayers(),
                    committed, state.created(), state.extra()));
        }
        return w;
    }

    private List<Descriptor> baseLayerDescriptors() {
        if (state.imageManifest() == null) return List.of();
        Manifest base = Manifest.parse(store().blobs().read(Digest.parse(state.imageManifest())));
        return base.layers();
    }

    /** The container's state as pretty JSON (name, id, base image, config, mount point). */
    public String inspect() {
        ObjectNode o = Json.object();
        o.put("Type", "kiln");
        o.put("ContainerID", id());
        o.put("ContainerName", name());
        o.put("FromImage", state.imageName() == null ? "scratch" : state.imageName());
        o.put("FromImageDigest", state.imageManifest());
        o.put("StorageDriver", store().driver().name());
        o.put("MountPoint", isMounted() ? dir().resolve(store().driver().name().equals("overlay") ? "merged" : "rootfs").toString() : "");
        o.set("Config", state.config());
        ObjectNode ann = o.putObject("Annotations");
        annotations().forEach(ann::put);
        o.put("Created", state.created());
        return Json.pretty(o);
    }

    private ContainerState with(com.fasterxml.jackson.databind.JsonNode config, Map<String, String> extra) {
        return new ContainerState(state.id(), state.name(), state.imageName(), state.imageManifest(), state.baseLayers(),
                config, state.created(), extra);
    }

    private void save(ContainerState next) {
        store().containers().save(next);
        state = next;
    }
}

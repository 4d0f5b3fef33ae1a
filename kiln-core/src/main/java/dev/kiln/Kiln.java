package dev.kiln;

import dev.kiln.oci.ConflictException;
import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.NotFoundException;
import dev.kiln.oci.Reference;
import dev.kiln.registry.CredentialStore;
import dev.kiln.registry.Credentials;
import dev.kiln.registry.RegistryClient;
import dev.kiln.registry.RegistryOptions;
import dev.kiln.registry.Tuning;
import dev.kiln.transport.RegistryAccess;
import dev.kiln.transport.RegistryTransport;
import dev.kiln.oci.Platform;
import dev.kiln.store.ContainerState;
import dev.kiln.store.GcResult;
import dev.kiln.store.LayerRef;
import dev.kiln.store.Store;
import dev.kiln.store.StoreCheck;
import dev.kiln.store.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.time.Duration;
import dev.kiln.store.Snapshots;

/**
 * kiln as a library: one object per store. Every CLI verb is one call here.
 *
 * <pre>{@code
 * try (Kiln kiln = Kiln.open(Path.of("/var/lib/kiln"))) {
 *     WorkingContainer ctr = kiln.from("scratch", null);
 *     ctr.add(List.of("rootfs.tar"), "/", CopyOptions.add());
 *     CommitResult image = ctr.commit("app", CommitOptions.defaults());
 * }
 * }</pre>
 *
 * Errors a user can act on are {@link dev.kiln.oci.KilnException}s (not found, invalid input,
 * conflict) whose message names what and where; they leave the store as it was.
 */
public final class Kiln implements AutoCloseable {
    private final Store store;
    private final LocalImages images;
    private volatile Tuning registryTuning = Tuning.DEFAULT;

    private Kiln(Store store) {
        this.store = store;
        this.images = new LocalImages(store);
    }

    /** /var/lib/kiln for root, else $XDG_DATA_HOME/kiln (~/.local/share/kiln). */
    public static Path defaultRoot() {
        try {
            if ((int) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0) return Path.of("/var/lib/kiln");
        } catch (IOException | UnsupportedOperationException e) {
            // not Linux /proc: fall through to the per-user location
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local/share");
        return base.resolve("kiln");
    }

    public static Kiln open(Path root) {
        return open(new KilnOptions(root, null));
    }

    public static Kiln open(KilnOptions options) {
        Path root = options.root() != null ? options.root() : defaultRoot();
        String driver = options.storageDriver();
        if (driver == null || driver.isEmpty()) driver = System.getenv("STORAGE_DRIVER"); // buildah's variable
        if (driver != null && driver.isEmpty()) driver = null;
        return new Kiln(Store.open(root.toAbsolutePath(), new StoreOptions(driver)));
    }

    Store store() {
        return store;
    }

    LocalImages localImages() {
        return images;
    }

    public Path root() {
        return store.root();
    }

    /** "overlay" or "vfs". */
    public String storageDriver() {
        return store.driver().name();
    }

    /**
     * A new working container from {@code image} ("scratch", a name, or an image id or unique id
     * prefix). {@code name} null gives buildah's default, {@code IMAGE-working-container}
     * (with -1, -2 ... when taken).
     */
    public WorkingContainer from(String image, String name) {
        return from(image, name, PullOptions.defaults());
    }

    /**
     * As {@link #from(String, String)}; an image missing from the store is pulled first when its
     * name can mean a registry image (a name with a registry, or a short name, which means Docker Hub).
     */
    public WorkingContainer from(String image, String name, PullOptions pull) {
        boolean scratch = image.equals("scratch");
        LocalImage base = scratch ? null : images.find(image).orElseGet(() -> pullMissing(image, pull));
        List<LayerRef> layers = scratch ? List.of() : base.layers();
        ImageConfig config = scratch ? ImageConfig.empty(Platform.host()) : base.config();
        String imageName = scratch ? null : base.names().isEmpty() ? null : base.names().getFirst();
        for (int attempt = 0; ; attempt++) {
            String containerName = name != null ? name : store.containers().uniqueName(defaultName(image, base));
            try {
                ContainerState state = store.containers().create(containerName, imageName,
                        scratch ? null : base.manifestDigest().toString(), layers, Json.tree(config.toJson()), Map.of());
                return new WorkingContainer(this, state);
            } catch (dev.kiln.oci.ConflictException e) {
                // A default name another process (or build stage) took first: take the next free one.
                if (name != null || attempt >= 20) throw e;
            }
        }
    }

    private LocalImage pullMissing(String image, PullOptions options) {
        Reference ref;
        try {
            ref = Reference.parse(image).withDefaults(Reference.DOCKER_HUB);
        } catch (InvalidInputException e) {
            throw new NotFoundException("no image '" + image + "' in the store " + store.root() + ", and it is not "
                    + "a reference kiln could pull (" + e.getMessage() + ")");
        }
        try {
            return new Transfers(this).pull("docker://" + ref, options);
        } catch (KilnException e) {
            throw new KilnException("no image '" + image + "' in the store, and pulling " + ref + " failed: " + e.getMessage(), e);
        }
    }

    private static String defaultName(String image, LocalImage base) {
        if (base == null) return "working-container";
        String n = base.names().isEmpty() ? base.id().substring(0, 12) : base.names().getFirst();
        n = n.substring(n.lastIndexOf('/') + 1);
        int colon = n.indexOf(':');
        if (colon >= 0) n = n.substring(0, colon);
        int at = n.indexOf('@');
        if (at >= 0) n = n.substring(0, at);
        return n + "-working-container";
    }

    /**
     * Builds a Dockerfile (see {@link BuildRequest}): the stages the target needs, in order, one
     * layer per stage (no layer cache yet), the final image named with every tag. Progress goes
     * to {@code request.progress()}: {@code STEP n/m: INSTRUCTION} lines, RUN output, and the
     * image id last. Every working container the build made, and every intermediate stage image,
     * is removed when it ends, whether it succeeds or fails.
     *
     * @throws BuildException when a step fails (its message names the file, line and instruction)
     */
    public BuildResult build(BuildRequest request) {
        long freeBefore = StoreSpace.free(store);
        List<Digest> steps = java.util.Collections.synchronizedList(new ArrayList<>());
        buildSteps.set(steps);
        try {
            return new Builder(this, request).build();
        } catch (KilnException e) {
            if (!StoreSpace.isNoSpace(e) && !e.getMessage().contains("no space left on the filesystem of store")) throw e;
            undoSteps(steps); // out of space: the store goes back to what it was, cached steps included
            if (e.getMessage().contains("no space left on the filesystem of store")) throw e;
            String why = "no space left on the filesystem of store " + store.root() + ": the build needs more than the "
                    + StoreSpace.human(freeBefore) + " that were free when it began (free some space there, or use another --root)";
            if (e instanceof BuildException b) throw new BuildException(b.file(), b.line(), b.instruction(), why, b.exitCode(), e);
            throw new KilnException(why, e);
        } finally {
            buildSteps.remove();
        }
    }

    /** The step images the build running on this thread (and the stage threads it starts) made. */
    private final InheritableThreadLocal<List<Digest>> buildSteps = new InheritableThreadLocal<>();

    /** A build step published {@code manifest}, which was not in the store before. */
    void journalStep(Digest manifest) {
        List<Digest> steps = buildSteps.get();
        if (steps != null) steps.add(manifest);
    }

    /** Removes the step images a failed build made (if still unnamed) and what only they used; gc drops their cache entries. */
    private void undoSteps(List<Digest> steps) {
        Set<Digest> released = new HashSet<>();
        for (Digest m : List.copyOf(steps)) {
            if (store.images().byManifest(m).stream().anyMatch(r -> r.name() != null)) continue;
            images.find(m.hex()).ifPresent(img -> released.addAll(released(img)));
            released.add(m);
            store.images().removeEntry(null, m);
        }
        if (!released.isEmpty()) store.gc(Duration.ofMinutes(10), released);
    }

    /** An existing working container by name, id or unique id prefix. */
    public WorkingContainer container(String nameOrId) {
        return new WorkingContainer(this, store.containers().get(nameOrId));
    }

    public List<ContainerInfo> containers() {
        List<ContainerInfo> out = new ArrayList<>();
        for (ContainerState s : store.containers().list()) {
            boolean scratch = s.imageManifest() == null;
            String imageName = s.imageName() != null ? s.imageName() : scratch ? "scratch" : "";
            out.add(new ContainerInfo(s.id(), s.name(), scratch ? "" : baseImageId(s), imageName, s.created()));
        }
        return out;
    }

    /** The base image's id (its config digest), or "" when the base image is gone from the store. */
    private String baseImageId(ContainerState s) {
        try {
            return Manifest.parse(store.blobs().read(Digest.parse(s.imageManifest()))).config().digest().hex();
        } catch (KilnException e) {
            return "";
        }
    }

    /** Removes a working container (unmounting it first); returns its id. */
    public String removeContainer(String nameOrId) {
        ContainerState s = store.containers().get(nameOrId);
        store.containers().remove(s);
        if (baseGone(s)) store.gc(Duration.ofMinutes(10), released(s));
        return s.id();
    }

    /** Removes every working container; returns their ids. */
    public List<String> removeAllContainers() {
        List<String> ids = new ArrayList<>();
        Set<Digest> released = new HashSet<>();
        for (ContainerState s : store.containers().list()) {
            store.containers().remove(s);
            if (baseGone(s)) released.addAll(released(s));
            ids.add(s.id());
        }
        if (!released.isEmpty()) store.gc(Duration.ofMinutes(10), released);
        return ids;
    }

    /** gc after rm only where it can free something: the container's base image is no longer in index.json. */
    private boolean baseGone(ContainerState s) {
        return s.imageManifest() != null
                && store.images().list().stream().noneMatch(r -> r.manifest().toString().equals(s.imageManifest()));
    }

    /**
     * What a removed container may have kept alive on its own: its base image's manifest, layer
     * blobs and snapshots, if that image is gone (gc sweeps them only if nothing else uses them).
     */
    private static Set<Digest> released(ContainerState s) {
        Set<Digest> out = new HashSet<>();
        if (s.imageManifest() != null) out.add(Digest.parse(s.imageManifest()));
        s.baseLayers().forEach(l -> out.add(l.blob()));
        out.addAll(Snapshots.chainIds(s.baseLayers().stream().map(LayerRef::diffId).toList()));
        return out;
    }

    /** The images users see: every named image, and unnamed ones unless they are build-cache steps (as buildah's intermediate images). */
    public List<ImageInfo> images() {
        return images(false);
    }

    /** Every image; with {@code all}, also the unnamed images the build cache keeps ({@code kiln images --all}). */
    public List<ImageInfo> images(boolean all) {
        java.util.Set<Digest> cached = all ? java.util.Set.of() : store.cache().manifests();
        List<ImageInfo> out = new ArrayList<>();
        for (LocalImage i : images.all()) {
            if (all || !i.names().isEmpty() || !cached.contains(i.manifestDigest())) out.add(i.info());
        }
        return out;
    }

    /** An image by name (short names like "app" or "app:1" are looked up as localhost/app:latest ...), id, or id prefix. */
    public ImageInfo image(String nameOrId) {
        return images.get(nameOrId).info();
    }

    /** Adds {@code newName} (normalised, e.g. "app" → "localhost/app:latest") to an image; returns the full name. */
    public String tag(String image, String newName) {
        LocalImage img = images.get(image);
        String full = LocalImages.normalize(newName);
        store.images().tag(full, img.mediaType(), img.manifestDigest(), img.manifestBytes().length);
        return full;
    }

    /**
     * Removes an image given by name or id. By name: removes that name, and the image when it was
     * the last. By id: removes the image and all its names. Refused when a working container
     * uses it, unless {@code force} (which removes those containers too). Returns lines to print:
     * "untagged: NAME" and the removed image ids.
     */
    public List<String> removeImage(String nameOrId, boolean force) {
        LocalImage img = images.get(nameOrId);
        List<String> out = new ArrayList<>();
        String byName = null;
        for (String c : LocalImages.candidates(nameOrId)) if (img.names().contains(c)) byName = c;
        if (byName != null && img.names().size() > 1) {
            store.images().untag(byName);
            out.add("untagged: " + byName);
            return out;
        }
        List<ContainerState> users = store.containers().list().stream()
                .filter(s -> img.manifestDigest().toString().equals(s.imageManifest())).toList();
        if (!users.isEmpty() && !force) {
            throw new ConflictException("image " + img.id().substring(0, 12) + " is used by container "
                    + users.getFirst().name() + " (remove it with kiln rm, or use rmi --force)");
        }
        for (ContainerState s : users) store.containers().remove(s);
        for (String n : img.names()) out.add("untagged: " + n);
        Set<Digest> released = released(img);
        store.images().remove(img.manifestDigest());
        out.add(img.id());
        store.gc(Duration.ofMinutes(10), released);
        return out;
    }

    /** What removing {@code img} may free: its blobs, their compressed forms, its snapshots. */
    private Set<Digest> released(LocalImage img) {
        Set<Digest> out = new HashSet<>();
        out.add(img.manifestDigest());
        out.add(img.manifest().config().digest());
        for (LayerRef l : img.layers()) {
            out.add(l.blob());
            out.add(l.diffId());
            for (String format : List.of("gzip", "zstd")) store.blobs().compressed(l.diffId(), format).ifPresent(out::add);
        }
        out.addAll(Snapshots.chainIds(img.layers().stream().map(LayerRef::diffId).toList()));
        return out;
    }

    /** Removes every image (and with {@code force}, every container); returns the removed image ids. */
    public List<String> removeAllImages(boolean force) {
        List<String> out = new ArrayList<>();
        for (LocalImage img : images.all()) out.addAll(removeImage(img.manifestDigest().hex(), force));
        return out;
    }

    /** What changed between an image and its parent (other null) or between two images. */
    public List<FileChange> diff(String image, String other) {
        return new ImageDiff(this).diff(images.get(image), other == null ? null : images.get(other));
    }

    /** The image's manifest, config and names as pretty JSON. */
    public String inspectImage(String image) {
        LocalImage img = images.get(image);
        var o = Json.object();
        o.put("Type", "kiln");
        o.put("ImageID", img.id());
        o.putPOJO("Names", img.names());
        o.put("ManifestDigest", img.manifestDigest().toString());
        o.put("ManifestType", img.mediaType());
        o.set("Manifest", Json.tree(img.manifestBytes()));
        o.set("Config", Json.tree(img.configBytes()));
        return Json.pretty(o);
    }

    /**
     * Copies an image to a destination: {@code docker://REF}, {@code REGISTRY/REPO[:TAG]},
     * {@code oci:DIR[:TAG]}, {@code oci-archive:FILE[:TAG]}, {@code docker-archive:FILE[:NAME[:TAG]]}.
     * {@code destination} null pushes to the registry {@code image}'s name names (as
     * {@code kiln push 127.0.0.1:5000/app}). Returns the manifest digest written (and writes it to
     * {@link PushOptions#digestFile()} when given).
     */
    public Digest push(String image, String destination, PushOptions options) {
        LocalImage img = images.get(image);
        return new Transfers(this).push(img, destination != null ? destination : registryNameOf(image), options);
    }

    private static String registryNameOf(String image) {
        Reference ref;
        try {
            ref = Reference.parse(image);
        } catch (InvalidInputException e) {
            ref = null;
        }
        if (ref == null || !ref.hasRegistry()) {
            throw new InvalidInputException("no destination given and '" + image + "' names no registry: "
                    + "give one (kiln push " + image + " REGISTRY/REPO[:TAG])");
        }
        return "docker://" + ref.withDefaults(Reference.DOCKER_HUB);
    }

    /** Copies an image from {@code oci:}, {@code oci-archive:} or {@code docker-archive:} into the store. */
    public ImageInfo pull(String source) {
        return pull(source, PullOptions.defaults());
    }

    /**
     * Copies an image into the store from {@code docker://REF} or {@code REGISTRY/REPO[:TAG|@DIGEST]}
     * (blobs fetched in parallel, each verified; blobs the store has are not fetched), or from
     * {@code oci:}, {@code oci-archive:}, {@code docker-archive:}. The name is published last, as
     * the full reference ({@code 127.0.0.1:5000/app:latest}; by digest {@code 127.0.0.1:5000/app@sha256:…});
     * on failure the store keeps nothing of this pull.
     */
    public ImageInfo pull(String source, PullOptions options) {
        return new Transfers(this).pull(source, options).info();
    }

    /**
     * Checks {@code user}/{@code password} against {@code registry} ({@code host[:port]}) and, if
     * accepted, stores them in the auth file ({@code authFile}, else {@code $REGISTRY_AUTH_FILE},
     * else {@code $XDG_RUNTIME_DIR/containers/auth.json}). Returns the auth file written.
     */
    public static Path login(String registry, String user, String password, Path authFile, boolean tlsVerify, Path certDir) {
        String host = registryHost(registry);
        Credentials creds = new Credentials(user, password);
        RegistryOptions opts = RegistryTransport.options(host, new RegistryAccess(tlsVerify, certDir, null, authFile, null))
                .withCredentials(creds);
        try (RegistryClient client = RegistryClient.create(host, opts)) {
            client.checkAuth();
        }
        CredentialStore store = CredentialStore.of(null, authFile);
        store.login(host, creds);
        return store.authFile();
    }

    /** Removes {@code registry}'s credentials from the auth file; false if it had none. */
    public static boolean logout(String registry, Path authFile) {
        return CredentialStore.of(null, authFile).logout(registryHost(registry));
    }

    /** "https://quay.io/" → "quay.io"; "index.docker.io" → "docker.io". */
    private static String registryHost(String unsafeRegistry) {
        String r = unsafeRegistry.replaceFirst("^[a-z]+://", "");
        if (r.endsWith("/")) r = r.substring(0, r.length() - 1);
        if (r.equals("index.docker.io") || r.equals("registry-1.docker.io")) r = Reference.DOCKER_HUB;
        if (r.isEmpty() || r.contains("/")) {
            throw new InvalidInputException("'" + unsafeRegistry + "' is not a registry (expected host[:port])");
        }
        return r;
    }

    /** How registry clients retry and whom they tell about requests (tests shorten the bounds). */
    Tuning registryTuning() {
        return registryTuning;
    }

    void setRegistryTuning(Tuning tuning) {
        this.registryTuning = tuning;
    }

    /** Removes unreferenced blobs, snapshots and leftovers; returns a one-line summary. */
    public String gc() {
        GcResult r = store.gc();
        return "removed " + r.blobs() + " blobs (" + r.blobBytes() + " bytes), " + r.snapshots() + " snapshots, "
                + r.tmpEntries() + " temporary files, " + r.cacheEntries() + " build-cache entries";
    }

    /**
     * Checks the store: every image's manifest, config and layers present, of the right size and
     * media type; every blob's name and (with {@code full}) content; every snapshot's meta.json
     * and (with {@code full}) files against its layer; every working container's base image,
     * lower snapshots and directories; index.json; and lists leftovers of interrupted runs. With
     * {@code repair}, removes what is broken (rebuilding snapshots from their layers where it
     * can) and what nothing references, never a sound image, then checks again.
     */
    public FsckReport fsck(boolean full, boolean repair) {
        StoreCheck first = store.check(full);
        if (!repair) return new FsckReport(problems(first), List.of(), problems(first), checked(first));
        List<String> repairs = store.repair(first);
        StoreCheck after = store.check(full);
        return new FsckReport(problems(first), repairs, problems(after), checked(after));
    }

    private static List<FsckReport.Problem> problems(StoreCheck c) {
        return c.problems().stream().map(p -> new FsckReport.Problem(p.damaged(), p.subject(), p.detail())).toList();
    }

    private static String checked(StoreCheck c) {
        String s = c.images() + (c.images() == 1 ? " image, " : " images, ") + c.blobs() + (c.blobs() == 1 ? " blob, " : " blobs, ")
                + c.snapshots() + (c.snapshots() == 1 ? " snapshot, " : " snapshots, ")
                + c.containers() + (c.containers() == 1 ? " container" : " containers");
        if (!c.full()) return s + " (blob sizes only; --full re-hashes blobs and compares snapshots with their layers)";
        return s + " (blobs re-hashed, snapshots compared with their layers"
                + (c.unverified() > 0 ? "; " + c.unverified() + " snapshots without their layer could not be" : "") + ")";
    }

    @Override
    public void close() {
        store.close();
    }
}

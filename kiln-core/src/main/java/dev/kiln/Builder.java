package dev.kiln;

import dev.kiln.dockerfile.Context;
import dev.kiln.dockerfile.ContextDigest;
import dev.kiln.dockerfile.ContextFile;
import dev.kiln.dockerfile.Dockerfile;
import dev.kiln.dockerfile.DockerfileException;
import dev.kiln.dockerfile.DockerfileParser;
import dev.kiln.dockerfile.Expander;
import dev.kiln.dockerfile.Heredoc;
import dev.kiln.dockerfile.Instruction;
import dev.kiln.dockerfile.RunMount;
import dev.kiln.dockerfile.Stage;
import dev.kiln.oci.ContainerConfig;
import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.Reference;
import dev.kiln.store.BuildCache;
import dev.kiln.oci.HealthCheck;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.NotFoundException;
import dev.kiln.oci.Platform;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * The build executor. The stages the target needs form a graph (FROM an earlier stage, COPY
 * --from); each is built once its dependencies are, up to {@code --jobs} at a time. A stage
 * walks its instructions with a cache key chain: the key of FROM is the base image's id plus
 * the build's format, timestamp, compression and platform; every later instruction folds into
 * the key what its result depends on (its text, the values of the variables it names, RUN's
 * ARGs, the digest of COPY/ADD sources). RUN, COPY and ADD are the cache's steps: on a hit the
 * stage jumps to the cached image without a container; on a miss (and from then on) the
 * instruction runs in the stage's working container, whose changes are committed as one layer
 * and which then goes on from that image (see {@link WorkingContainer#commitStep}). Metadata
 * instructions only edit the config and enter the next commit's history as empty_layer entries.
 * With {@code layers=false} (or {@code --squash}) a stage is instead one container committed
 * once at its end, with no cache. Every working container it makes is removed when it ends;
 * intermediate stage images are removed too unless they are cache entries.
 *
 * <p>Lives in the facade package to drive {@link WorkingContainer} directly; a later change can
 * move the engine to {@code dev.kiln.build}.
 */
final class Builder {
    private static final String CACHE_VERSION = "kiln-build-cache-v1";
    /** Docker's predefined ARGs: usable in RUN without an ARG instruction. */
    static final List<String> PROXY_ARGS = List.of("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
            "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");

    private final Kiln kiln;
    private final BuildRequest req;
    private final PrintStream out;
    private final Dockerfile df;
    private final String fileName;
    private final Context context;
    private final Path unpackedContext;
    private final boolean layered;
    private final Set<String> containers = ConcurrentHashMap.newKeySet();
    /** Stage index → its final image, as a manifest digest hex (what {@link Kiln#from} takes). */
    private final Map<Integer, String> stageImages = new ConcurrentHashMap<>();
    /** Images the build made that no cache entry keeps: removed at the end unless final. */
    private final Set<String> transientImages = ConcurrentHashMap.newKeySet();
    private final Map<String, String> predefined = new LinkedHashMap<>();
    /** Global ARGs (before the first FROM) with their resolved values; null = declared without one. */
    private final Map<String, String> globalArgs = new LinkedHashMap<>();
    private final Map<String, String> globalEnv = new LinkedHashMap<>();
    private final AtomicInteger hits = new AtomicInteger();
    private final AtomicInteger misses = new AtomicInteger();
    private volatile boolean stopping;
    /** The ONBUILD triggers of base images, by identity: their STEP text and errors are not the Dockerfile's. */
    private final Map<Instruction, Trigger> triggers = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    Builder(Kiln kiln, BuildRequest req) {
        this.kiln = kiln;
        this.req = req;
        this.out = req.progress() != null ? req.progress() : new PrintStream(OutputStream.nullOutputStream());
        this.layered = req.layers() && !req.squash();
        Path dir;
        if (req.contextStream() != null || Files.isRegularFile(req.contextDir())) {
            try {
                unpackedContext = Files.createTempDirectory(kiln.store().tmpDir(), "context-");
            } catch (IOException e) {
                throw new KilnException("unpacking the build context into " + kiln.store().tmpDir() + ": " + e.getMessage(), e);
            }
            Context c = req.contextStream() != null ? Context.fromStream(req.contextStream(), unpackedContext)
                    : Context.fromTar(req.contextDir(), unpackedContext);
            dir = c.root();
        } else {
            unpackedContext = null;
            dir = req.contextDir();
            if (!Files.isDirectory(dir)) throw new NotFoundException("the build context " + dir + " does not exist");
        }
        try {
            Path file = dockerfile(dir, req.dockerfile());
            this.fileName = file.getFileName().toString();
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new NotFoundException("cannot read the Dockerfile " + file + ": " + e.getMessage(), e);
            }
            this.df = DockerfileParser.parse(text, fileName);
            Path absDir = dir.toAbsolutePath();
            // A directory context's content digests are remembered in the store between builds
            // (stat-checked); an unpacked tarball is new every time, so it gets no such memory.
            this.context = Context.load(dir, file.startsWith(absDir) ? absDir.relativize(file).toString() : file.toString(),
                    unpackedContext == null ? contextDigestMemory(kiln.store().cache()) : null);
        } catch (RuntimeException e) {
            if (unpackedContext != null) deleteTree(unpackedContext);
            throw e;
        }
        Platform p = Platform.host();
        String variant = p.variant() == null ? "" : p.variant();
        String platform = p.os() + "/" + p.architecture() + (variant.isEmpty() ? "" : "/" + variant);
        for (String side : List.of("TARGET", "BUILD")) {
            predefined.put(side + "PLATFORM", platform);
            predefined.put(side + "OS", p.os());
            predefined.put(side + "ARCH", p.architecture());
            predefined.put(side + "VARIANT", variant);
        }
    }

    private static Path dockerfile(Path dir, Path given) {
        if (given == null) {
            for (String n : List.of("Containerfile", "Dockerfile")) {
                if (Files.isRegularFile(dir.resolve(n))) return dir.resolve(n).toAbsolutePath();
            }
            throw new NotFoundException("no Containerfile or Dockerfile in the context " + dir + " (name one with -f)");
        }
        if (given.isAbsolute() || Files.exists(given)) return given.toAbsolutePath();
        return dir.resolve(given).toAbsolutePath();
    }

    BuildResult build() {
        boolean ok = false;
        String finalImage = null;
        try {
            resolveGlobalArgs();
            List<Stage> stages = neededStages();
            Map<Integer, StageResult> results = runStages(stages);
            StageResult last = results.get(stages.getLast().index());
            finalImage = last.manifestHex();
            LocalImage img = kiln.localImages().get(finalImage);
            List<String> names = new ArrayList<>();
            for (String t : req.tags()) names.add(kiln.tag(finalImage, t));
            if (req.iidfile() != null) {
                try {
                    Files.writeString(req.iidfile(), "sha256:" + img.id());
                } catch (IOException e) {
                    throw new KilnException("writing --iidfile " + req.iidfile() + ": " + e.getMessage(), e);
                }
            }
            if (!req.quiet() && !names.isEmpty()) out.println("Successfully tagged " + String.join(", ", names));
            out.println(img.id());
            out.flush();
            ok = true;
            List<String> built = new ArrayList<>();
            for (Stage s : stages) built.add(s.name() != null ? s.name() : Integer.toString(s.index()));
            return new BuildResult(img.id(), img.manifestDigest(), names, built, hits.get(), misses.get());
        } finally {
            cleanup(ok ? finalImage : null);
        }
    }

    /** A built stage: its image as a manifest digest hex. */
    private record StageResult(String manifestHex) {}

    /**
     * Builds {@code stages} (in file order, each after the stages it depends on), up to
     * {@code --jobs} at once. The first failure stops the others between steps and is thrown.
     */
    private Map<Integer, StageResult> runStages(List<Stage> stages) {
        int jobs = req.jobs() > 0 ? req.jobs() : Runtime.getRuntime().availableProcessors();
        Map<Integer, StageResult> done = new ConcurrentHashMap<>();
        if (jobs == 1 || stages.size() == 1) {
            for (int i = 0; i < stages.size(); i++) {
                Stage s = stages.get(i);
                done.put(s.index(), buildStage(s, i, stages.size(), i == stages.size() - 1));
            }
            return done;
        }
        Map<Integer, CompletableFuture<StageResult>> futures = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(jobs, Thread.ofPlatform().name("kiln-stage-", 0).daemon().factory());
        try {
            for (int i = 0; i < stages.size(); i++) {
                Stage s = stages.get(i);
                int nth = i;
                List<CompletableFuture<StageResult>> deps = new ArrayList<>();
                for (int d : dependencies(s)) if (futures.containsKey(d)) deps.add(futures.get(d));
                CompletableFuture<StageResult> f = CompletableFuture.allOf(deps.toArray(CompletableFuture[]::new))
                        .thenApplyAsync(v -> {
                            if (stopping) throw new CancellationException("stopped");
                            StageResult r = buildStage(s, nth, stages.size(), nth == stages.size() - 1);
                            done.put(s.index(), r);
                            return r;
                        }, pool);
                f.whenComplete((r, e) -> {
                    if (e != null) stopping = true;
                });
                futures.put(s.index(), f);
            }
            try {
                CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new)).get();
            } catch (ExecutionException e) {
                // Every stage has ended (or will not start): report the first real failure.
                awaitQuietly(futures.values());
                throw firstFailure(futures.values(), e);
            } catch (InterruptedException e) {
                stopping = true;
                pool.shutdownNow();
                awaitQuietly(futures.values());
                Thread.currentThread().interrupt();
                throw new KilnException("build interrupted", e);
            }
            return done;
        } finally {
            pool.shutdownNow();
            try {
                pool.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void awaitQuietly(Iterable<CompletableFuture<StageResult>> futures) {
        for (CompletableFuture<StageResult> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | CancellationException ignored) {
                // collected by firstFailure
            }
        }
    }

    private static RuntimeException firstFailure(Iterable<CompletableFuture<StageResult>> futures, ExecutionException any) {
        for (CompletableFuture<StageResult> f : futures) {
            if (!f.isCompletedExceptionally()) continue;
            try {
                f.join();
            } catch (CompletionException e) {
                Throwable c = e.getCause();
                if (c instanceof CancellationException || c instanceof CompletionException) continue;
                if (c instanceof RuntimeException r) return r;
                return new KilnException(c.getMessage(), c);
            } catch (CancellationException ignored) {
                // a stage that never started
            }
        }
        Throwable c = any.getCause();
        return c instanceof RuntimeException r ? r : new KilnException(String.valueOf(c), c);
    }

    /** The store's build cache as the place a context keeps its file digests between builds. */
    private static Context.DigestMemory contextDigestMemory(BuildCache cache) {
        return new Context.DigestMemory() {
            @Override
            public byte[] read(Digest pathKey) {
                return cache.contextDigests(pathKey);
            }

            @Override
            public void write(Digest pathKey, byte[] bytes) {
                cache.putContextDigests(pathKey, bytes);
            }
        };
    }

    private void cleanup(String keep) {
        // Interrupted (Ctrl-C): file channels refuse to work on an interrupted thread, so the
        // flag is set aside while the build's containers and images are removed.
        boolean interrupted = Thread.interrupted();
        try {
            if (keep != null) context.saveDigests(); // a failed build leaves the store as it was
            removeLeftovers(keep);
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private void removeLeftovers(String keep) {
        for (String id : List.copyOf(containers)) {
            try {
                kiln.removeContainer(id);
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
        for (String id : new TreeSet<>(transientImages)) {
            if (id.equals(keep)) continue;
            try {
                kiln.removeImage(id, true);
            } catch (RuntimeException ignored) {
                // shared with another stage, or already gone
            }
        }
        if (unpackedContext != null) deleteTree(unpackedContext);
    }

    // ---- ARGs and stages ----

    private void resolveGlobalArgs() {
        for (Instruction.Arg a : df.globalArgs()) {
            Map<String, String> env = new LinkedHashMap<>(predefined);
            env.putAll(globalEnv);
            for (Instruction.KeyValue kv : a.args()) {
                String name = kv.key();
                String value = req.buildArgs().containsKey(name) ? req.buildArgs().get(name)
                        : kv.value() == null ? null : expand(a, env, kv.value());
                globalArgs.put(name, value);
                if (value != null) globalEnv.put(name, value);
            }
        }
    }

    /** The environment FROM (and COPY --from) expand with: the predefined platform args and the global ARGs. */
    private Map<String, String> fromEnv() {
        Map<String, String> env = new LinkedHashMap<>(predefined);
        env.putAll(globalEnv);
        return env;
    }

    private List<Stage> neededStages() {
        if (df.stages().isEmpty()) throw new DockerfileException(fileName, 1, 1, null, "no FROM instruction");
        Stage target = df.stages().getLast();
        if (req.target() != null && !req.target().isEmpty()) {
            target = df.stage(req.target());
            if (target == null) throw new InvalidInputException("--target " + req.target() + ": no such stage in " + fileName);
        }
        Set<Integer> needed = new TreeSet<>();
        List<Stage> todo = new ArrayList<>(List.of(target));
        while (!todo.isEmpty()) {
            Stage s = todo.removeLast();
            if (!needed.add(s.index())) continue;
            for (int d : dependencies(s)) todo.add(df.stages().get(d));
        }
        List<Stage> out = new ArrayList<>();
        for (Stage s : df.stages()) if (needed.contains(s.index())) out.add(s);
        return out;
    }

    /** The earlier stages {@code s} uses: its FROM, every COPY --from and RUN --mount from= naming a stage. */
    private List<Integer> dependencies(Stage s) {
        List<Integer> deps = new ArrayList<>();
        Stage base = stageNamed(expand(s.from(), fromEnv(), s.from().image()), s.index());
        if (base != null) deps.add(base.index());
        for (Instruction i : s.instructions()) {
            if (i instanceof Instruction.Copy c && c.from() != null) {
                Stage dep = stageNamed(expand(c, fromEnv(), c.from()), s.index());
                if (dep != null) deps.add(dep.index());
            }
            if (i instanceof Instruction.Run r) {
                for (String from : mountSources(r)) {
                    Stage dep = stageNamed(from, s.index());
                    if (dep != null) deps.add(dep.index());
                }
            }
        }
        return deps;
    }

    /** The {@code from=} of a RUN's mounts, expanded as FROM is; a mount that does not parse yet is left to the RUN. */
    private List<String> mountSources(Instruction.Run r) {
        List<String> out = new ArrayList<>();
        Map<String, String> env = fromEnv();
        for (String m : r.mounts()) {
            try {
                RunMount rm = RunMount.parse(m, w -> new Expander(env, df.escape()).expandWord(w));
                if (rm.from() != null) out.add(rm.from());
            } catch (DockerfileException e) {
                // reported by the RUN itself
            }
        }
        return out;
    }

    /** The earlier stage {@code ref} names (by name or index), or null when it is an image. */
    private Stage stageNamed(String ref, int before) {
        Stage s = df.stage(ref);
        return s != null && s.index() < before ? s : null;
    }

    // ---- one stage ----

    /**
     * A stage being built: its current image (manifest hex; null for scratch), the config with
     * the edits since, the working container (made when a step needs one, always in step with
     * image + edits), and the cache key chain.
     */
    private final class StageState {
        final Stage stage;
        final String prefix;
        final Map<String, String> args = new LinkedHashMap<>();
        boolean cmdSet;
        String image;
        ImageConfig imageConfig;
        private boolean configEdited;
        private WorkingContainer ctr;
        /** Directories WORKDIR created while there was no container: made when one is. */
        private final List<String> pendingDirs = new ArrayList<>();
        /** Whether the container has file changes not committed yet (WORKDIR's directories). */
        boolean fsDirty;
        /** created_by of the metadata instructions since the last commit. */
        final List<String> pendingSteps = new ArrayList<>();
        /** Index in pendingSteps of the last one that changed files (WORKDIR); -1: none. */
        int lastFsStep = -1;
        Digest key;
        boolean missed;

        StageState(Stage stage, String prefix, String image, ImageConfig config) {
            this.stage = stage;
            this.prefix = prefix;
            this.image = image;
            this.imageConfig = config;
        }

        ContainerConfig config() {
            return imageConfig.config();
        }

        /** ARGs, overridden by ENV: what the builder expands with. */
        Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>(args);
            for (String e : config().env()) {
                int eq = e.indexOf('=');
                if (eq > 0) env.put(e.substring(0, eq), e.substring(eq + 1));
                else env.put(e, "");
            }
            return env;
        }

        void edit(UnaryOperator<ContainerConfig> f) {
            imageConfig = imageConfig.withConfig(f.apply(imageConfig.config()));
            configEdited = true;
        }

        void editImage(UnaryOperator<ImageConfig> f) {
            imageConfig = f.apply(imageConfig);
            configEdited = true;
        }

        /** The working container, made from the current image if there is none, with the current config. */
        WorkingContainer ctr() {
            if (stopping) throw new KilnException("build stopped: another stage failed");
            if (ctr == null) {
                ctr = kiln.from(image == null ? "scratch" : image, null);
                containers.add(ctr.id());
                configEdited = true;
            }
            if (configEdited) {
                ImageConfig c = imageConfig;
                ctr.editConfig(ic -> c);
                configEdited = false;
            }
            return ctr;
        }

        boolean hasContainer() {
            return ctr != null;
        }

        /** Drops the container (a cache hit moved the stage past it). */
        void dropContainer() {
            if (ctr == null) return;
            kiln.removeContainer(ctr.id());
            containers.remove(ctr.id());
            ctr = null;
        }

        /** Jumps to a cached image: no container, its config, nothing pending. */
        void jumpTo(String manifestHex, LocalImage img) {
            dropContainer();
            image = manifestHex;
            imageConfig = img.config();
            configEdited = false;
            pendingDirs.clear();
            pendingSteps.clear();
            lastFsStep = -1;
            fsDirty = false;
        }

        boolean pending() {
            return fsDirty || !pendingSteps.isEmpty() || configEdited || !pendingDirs.isEmpty();
        }
    }

    private StageResult buildStage(Stage s, int nth, int stageCount, boolean isFinal) {
        String prefix = stageCount > 1 ? "[" + (nth + 1) + "/" + stageCount + "] " : "";
        int steps = s.instructions().size() + 1;
        step(prefix, 1, steps, s.from());
        StageState st;
        try {
            String baseRef = expand(s.from(), fromEnv(), s.from().image());
            Stage baseStage = stageNamed(baseRef, s.index());
            if (baseStage != null) {
                String m = stageImages.get(baseStage.index());
                st = new StageState(s, prefix, m, kiln.localImages().get(m).config());
            } else if (baseRef.equals("scratch")) {
                st = new StageState(s, prefix, null, ImageConfig.empty(Platform.host()));
            } else {
                LocalImage base = baseImage(baseRef);
                st = new StageState(s, prefix, base.manifestDigest().hex(), base.config());
            }
        } catch (BuildException e) {
            throw e;
        } catch (KilnException e) {
            throw fail(s.from(), e.getMessage(), -1, e);
        }
        String baseId = st.image == null ? "scratch" : kiln.localImages().get(st.image).id();
        st.key = Digest.sha256(String.join("\n", CACHE_VERSION, "from " + baseId, "format " + req.format(),
                "timestamp " + req.timestamp(), "compression " + req.compression(), "platform " + predefined.get("TARGETPLATFORM"))
                .getBytes(StandardCharsets.UTF_8));
        st.missed = req.noCache();
        int n = 1 + begin(st, prefix, steps);
        steps += n - 1;
        for (Instruction i : s.instructions()) {
            if (stopping) throw new KilnException("build stopped: another stage failed");
            step(prefix, ++n, steps, i);
            applyStep(st, i);
        }
        if (isFinal) {
            if (!req.labels().isEmpty()) {
                st.edit(cc -> {
                    for (var e : req.labels().entrySet()) cc = cc.withLabel(e.getKey(), e.getValue());
                    return cc;
                });
            }
        }
        String result = layered ? finishLayered(st, isFinal) : finishOneLayer(st, isFinal);
        st.dropContainer(); // its work is in the image; other stages may still be running
        stageImages.put(s.index(), result);
        return new StageResult(result);
    }

    /** FROM an image: local or pulled as {@code --pull} says. */
    private LocalImage baseImage(String ref) {
        Optional<LocalImage> local = req.pull().equals("always") ? Optional.empty() : kiln.localImages().find(ref);
        if (local.isPresent()) return local.get();
        if (req.pull().equals("never")) {
            throw new NotFoundException("no image '" + ref + "' in the store " + kiln.store().root()
                    + ", and the pull policy is never (--pull-never): pull or load it first");
        }
        Reference r;
        try {
            r = Reference.parse(ref).withDefaults(Reference.DOCKER_HUB);
        } catch (InvalidInputException e) {
            throw new NotFoundException("no image '" + ref + "' in the store " + kiln.store().root()
                    + ", and it is not a reference kiln could pull (" + e.getMessage() + ")");
        }
        try {
            return new Transfers(kiln).pull("docker://" + r, PullOptions.defaults());
        } catch (KilnException e) {
            throw new KilnException("no image '" + ref + "' in the store, and pulling " + r + " failed: " + e.getMessage(), e);
        }
    }

    /** The stage as one container committed once (layers=false, --squash): no cache. */
    private String finishOneLayer(StageState st, boolean isFinal) {
        if (!req.quiet()) out.println(st.prefix + "COMMIT" + (isFinal && !req.tags().isEmpty() ? " " + req.tags().getFirst() : ""));
        WorkingContainer c = st.ctr();
        annotate(c, isFinal);
        CommitResult r = c.commit(null, new CommitOptions(isFinal && req.squash(), req.format(), req.timestamp(),
                req.compression(), true, "kiln build: stage " + (st.stage.name() != null ? st.stage.name() : st.stage.index())));
        containers.remove(c.id());
        st.ctr = null; // removed by the commit
        String hex = r.manifest().hex();
        transientImages.add(hex);
        if (!req.quiet()) out.println(st.prefix + "--> " + r.imageId().substring(0, 12));
        return hex;
    }

    private void annotate(WorkingContainer c, boolean isFinal) {
        if (!isFinal || req.annotations().isEmpty()) return;
        List<String> edits = new ArrayList<>();
        req.annotations().forEach((k, v) -> edits.add(k + "=" + v));
        c.config(new ConfigChange(List.of(), null, null, null, null, List.of(), edits, List.of(), List.of(), null, null, null,
                null, null, null, null, null, null, null, null, List.of()));
    }

    // ---- the layer cache ----

    /** What one step adds to the key chain; null for steps that cannot be cached (they always run). */
    private void layeredStep(StageState st, Instruction ins, long t0) {
        boolean cachePoint = ins instanceof Instruction.Run || ins instanceof Instruction.Copy || ins instanceof Instruction.Add;
        if (ins instanceof Instruction.Arg) {
            apply(st, ins); // ARG values reach the key through the steps that use them
            return;
        }
        String material;
        try {
            material = keyMaterial(st, ins);
        } catch (KilnException | UncheckedIOException e) {
            material = null; // the step cannot work (a missing source, a URL COPY): running it reports why
        }
        st.key = material == null ? Digest.sha256(randomBytes())
                : Digest.sha256((st.key + "\n" + material).getBytes(StandardCharsets.UTF_8));
        if (!cachePoint) {
            apply(st, ins);
            st.pendingSteps.add(createdBy(ins));
            if (ins instanceof Instruction.Workdir) st.lastFsStep = st.pendingSteps.size() - 1;
            return;
        }
        if (!st.missed && material != null && cacheHit(st)) return;
        st.missed = true;
        misses.incrementAndGet();
        apply(st, ins);
        commitStep(st, List.copyOf(st.pendingSteps), createdBy(ins), List.of(), true, t0);
    }

    private boolean cacheHit(StageState st) {
        Optional<BuildCache.Entry> e = kiln.store().cache().get(st.key);
        if (e.isEmpty()) e = fromRegistryCache(st.key);
        if (e.isEmpty()) return false;
        LocalImage img = kiln.localImages().withNames(e.get().manifest(), e.get().mediaType());
        st.jumpTo(e.get().manifest().hex(), img);
        hits.incrementAndGet();
        if (!req.quiet()) out.println(st.prefix + "--> Using cache " + img.id());
        return true;
    }

    /**
     * Commits the stage's container as a cache step and records it under the key: a layer whose
     * history entry is {@code createdBy}, after the pending metadata steps as empty_layer entries
     * ({@code after} of them after it); or, without a layer, the config alone.
     */
    private void commitStep(StageState st, List<String> before, String createdBy, List<String> after, boolean layer, long t0) {
        WorkingContainer c = st.ctr();
        List<String> empty = new ArrayList<>(before);
        if (!layer && createdBy != null) empty.add(createdBy);
        Committer.Written w = c.commitStep(new CommitOptions(false, req.format(), req.timestamp(), req.compression(), false,
                createdBy), empty, layer, after);
        st.image = w.manifest().digest().hex();
        st.imageConfig = kiln.localImages().withNames(w.manifest().digest(), w.manifest().mediaType()).config();
        st.pendingSteps.clear();
        st.lastFsStep = -1;
        st.fsDirty = false;
        kiln.store().cache().put(st.key, w.manifest().digest(), w.manifest().mediaType(), w.manifest().size());
        toRegistryCache(st.key, st.image);
        if (!req.quiet()) {
            out.printf("%s--> %s (%.1fs)%n", st.prefix, w.imageId().substring(0, 12), (System.nanoTime() - t0) / 1e9);
        }
    }

    /** The end of a stage in layers mode: the last step's image, or one more commit for what came after it. */
    private String finishLayered(StageState st, boolean isFinal) {
        boolean annotate = isFinal && !req.annotations().isEmpty();
        if (!st.pending() && !annotate && st.image != null) return st.image;
        long t0 = System.nanoTime();
        String material = "end of stage" + (isFinal ? " labels " + new TreeMap<>(req.labels()) + " annotations "
                + new TreeMap<>(req.annotations()) : "");
        st.key = Digest.sha256((st.key + "\n" + material).getBytes(StandardCharsets.UTF_8));
        if (!st.missed && cacheHit(st)) return st.image;
        misses.incrementAndGet();
        WorkingContainer c = st.ctr();
        if (annotate) annotate(c, true);
        boolean layer = st.fsDirty || st.image == null;
        List<String> steps = List.copyOf(st.pendingSteps);
        if (layer && st.lastFsStep >= 0) {
            commitStep(st, steps.subList(0, st.lastFsStep), steps.get(st.lastFsStep),
                    steps.subList(st.lastFsStep + 1, steps.size()), true, t0);
        } else {
            commitStep(st, steps, layer ? "kiln build: end of stage" : null, List.of(), layer, t0);
        }
        return st.image;
    }

    private Optional<BuildCache.Entry> fromRegistryCache(Digest key) {
        for (String repo : req.cacheFrom()) {
            String ref = "docker://" + repo + ":" + key.hex();
            try {
                LocalImage img = new Transfers(kiln).pull(ref, PullOptions.defaults());
                // A cache image is not a name users asked for: keep it unnamed.
                for (String n : img.names()) kiln.store().images().untag(n);
                kiln.store().images().addUnnamed(img.mediaType(), img.manifestDigest(), img.manifestBytes().length);
                kiln.store().cache().put(key, img.manifestDigest(), img.mediaType(), img.manifestBytes().length);
                return Optional.of(new BuildCache.Entry(key, img.manifestDigest(), img.mediaType(), img.manifestBytes().length));
            } catch (NotFoundException e) {
                // not cached there
            } catch (KilnException e) {
                if (!req.quiet()) out.println("warning: --cache-from " + repo + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    private void toRegistryCache(Digest key, String manifestHex) {
        for (String repo : req.cacheTo()) {
            try {
                kiln.push(manifestHex, "docker://" + repo + ":" + key.hex(), PushOptions.defaults());
            } catch (KilnException e) {
                throw new KilnException("--cache-to " + repo + ": " + e.getMessage(), e);
            }
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }

    /**
     * What the result of {@code ins} depends on beyond the parent: its text with heredocs and the
     * values of every variable it names (so: the instruction after expansion); for RUN also the
     * ARGs it sees as environment, its network and the build's volumes; for COPY/ADD the digest of
     * the selected sources' contents and metadata, or the source image's id for --from. Null when
     * the result cannot be known without running it (ADD of a URL without --checksum).
     */
    private String keyMaterial(StageState st, Instruction ins) {
        StringBuilder b = new StringBuilder();
        String text = textOf(ins);
        b.append(ins.keyword()).append(' ').append(text == null ? ins.toString() : text.strip()).append('\n');
        Map<String, String> env = st.env();
        Map<String, String> used = new TreeMap<>();
        java.util.regex.Matcher m = VARIABLE.matcher(text == null ? "" : text);
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            used.put(name, env.getOrDefault(name, "\u0000unset"));
        }
        b.append("vars ").append(used).append('\n');
        switch (ins) {
            case Instruction.Run r -> {
                for (Heredoc h : r.heredocs()) b.append("heredoc ").append(h).append('\n');
                b.append("args ").append(new TreeMap<>(st.args)).append('\n');
                b.append("network ").append(req.network()).append(" volumes ").append(req.volumes()).append('\n');
                // What a bind mount shows the command is an input too: the context files, or the image's id.
                for (String spec : r.mounts()) {
                    RunMount mount = RunMount.parse(spec, w -> expand(r, env, w));
                    if (mount.type() != RunMount.Type.BIND) continue;
                    if (mount.from() != null) {
                        b.append("mount from ").append(fromImageId(st, r, mount.from())).append('\n');
                    } else {
                        String src = mount.source() == null ? "." : mount.source();
                        b.append("mount context ").append(src).append(' ')
                                .append(ContextDigest.of(context.select(List.of(src), List.of(), true))).append('\n');
                    }
                }
            }
            case Instruction.Copy c -> {
                for (Heredoc h : c.heredocs()) b.append("heredoc ").append(h).append('\n');
                if (c.from() != null) b.append("from ").append(fromImageId(st, c, c.from())).append('\n');
                else b.append("sources ").append(sourcesDigest(st, c, c.sources(), c.excludes())).append('\n');
            }
            case Instruction.Add a -> {
                for (Heredoc h : a.heredocs()) b.append("heredoc ").append(h).append('\n');
                // A URL's content is only known by downloading it: cached only when --checksum pins it
                // (a --checksum the ADD cannot use is left to the ADD to report).
                List<String> expanded = new ArrayList<>();
                for (String src : a.sources()) expanded.add(expand(a, env, src));
                boolean anyUrl = expanded.stream().anyMatch(UrlFetcher::isUrl);
                if (a.checksum() != null) {
                    if (expanded.size() != 1 || !anyUrl) return null;
                    b.append("url ").append(expanded.getFirst()).append(" checksum ").append(expand(a, env, a.checksum()))
                            .append('\n');
                } else if (anyUrl) {
                    return null;
                } else {
                    b.append("sources ").append(sourcesDigest(st, a, a.sources(), a.excludes())).append('\n');
                }
            }
            default -> { }
        }
        return b.toString();
    }

    private static final java.util.regex.Pattern VARIABLE =
            java.util.regex.Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))");

    private String sourcesDigest(StageState st, Instruction ins, List<String> rawSources, List<String> rawExcludes) {
        if (rawSources.isEmpty()) return "none";
        Map<String, String> env = st.env();
        List<String> sources = new ArrayList<>();
        for (String s : rawSources) sources.add(expand(ins, env, s));
        List<String> excludes = new ArrayList<>();
        for (String e : rawExcludes) excludes.add(expand(ins, env, e));
        return ContextDigest.of(context.select(sources, excludes, true)).toString();
    }

    private String fromImageId(StageState st, Instruction ins, String rawFrom) {
        String from = expand(ins, fromEnv(), rawFrom);
        Stage stage = stageNamed(from, st.stage.index());
        String image = stage != null ? stageImages.get(stage.index()) : from;
        return kiln.localImages().get(image).id();
    }

    /** The instruction as written: the Dockerfile's line(s), or an ONBUILD trigger's expression. */
    private String textOf(Instruction ins) {
        Trigger t = triggers.get(ins);
        return t != null ? t.text() : df.text(ins.pos());
    }

    private String createdBy(Instruction ins) {
        String text = textOf(ins);
        String t = text == null ? ins.keyword() : text.strip();
        if (ins instanceof Instruction.Run) return "/bin/sh -c " + t.substring(Math.min(t.length(), 4)).strip();
        return "/bin/sh -c #(nop) " + t;
    }

    /** A working container of {@code image} ("scratch", a name or an id), pulled if missing unless the policy is "never". */
    private WorkingContainer container(String image) {
        if (req.pull().equals("never") && !image.equals("scratch") && kiln.localImages().find(image).isEmpty()) {
            throw new NotFoundException("no image '" + image + "' in the store, and the pull policy is never");
        }
        WorkingContainer ctr = kiln.from(image, null);
        containers.add(ctr.id());
        return ctr;
    }

    /** Applies one instruction; any failure becomes the {@link BuildException} that names it. */
    private void applyStep(StageState st, Instruction i) {
        if (stopping) throw new KilnException("build stopped: another stage failed");
        long t0 = System.nanoTime();
        try {
            if (layered) layeredStep(st, i, t0);
            else apply(st, i);
        } catch (BuildException e) {
            throw e;
        } catch (DockerfileException e) {
            throw fail(i, e.reason(), -1, e);
        } catch (KilnException | UncheckedIOException e) {
            throw fail(i, e.getMessage(), -1, e);
        }
    }

    private void step(String prefix, int n, int m, Instruction i) {
        if (req.quiet()) return;
        Trigger t = triggers.get(i);
        String text = t != null ? t.text() : df.text(i.pos());
        out.println(prefix + "STEP " + n + "/" + m + ": " + (text != null ? text.strip() : i.keyword()));
        out.flush();
    }

    private BuildException fail(Instruction i, String reason, int exitCode, Throwable cause) {
        Trigger t = triggers.get(i);
        if (t != null) {
            return new BuildException(fileName, t.line(), t.text() + " (ONBUILD trigger of " + t.image() + ")", reason, exitCode,
                    cause);
        }
        String text = df.text(i.pos());
        return new BuildException(fileName, i.pos().line(), text != null ? text.strip() : i.keyword(), reason, exitCode, cause);
    }

    private String expand(Instruction i, Map<String, String> env, String word) {
        try {
            return new Expander(env, df.escape()).expandWord(word);
        } catch (DockerfileException e) {
            throw fail(i, e.reason(), -1, e);
        }
    }

    /** Docker's and buildah's default PATH, which a stage gets when its base image sets none. */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** An ONBUILD trigger of a stage's base being run: the FROM line it runs at, its text, the image it came from. */
    private record Trigger(int line, String text, String image) {}

    /**
     * What a stage does before its own instructions: the default PATH where the base sets none,
     * then the base's ONBUILD triggers, in order, as steps after FROM (numbered from 2 of
     * {@code steps} plus their count, as buildah shows them), clearing them from the config so the
     * new image does not inherit them. Returns how many triggers ran.
     */
    private int begin(StageState st, String prefix, int steps) {
        if (st.config().envValue("PATH").isEmpty()) st.edit(cc -> cc.withEnvValue("PATH", DEFAULT_PATH));
        List<String> onBuild = st.config().onBuild();
        if (onBuild.isEmpty()) return 0;
        Instruction.From from = st.stage.from();
        String image = expand(from, fromEnv(), from.image());
        List<Instruction> parsed = new ArrayList<>();
        for (String expression : onBuild) {
            try {
                Instruction i = DockerfileParser.parseTrigger(expression, "ONBUILD");
                triggers.put(i, new Trigger(from.pos().line(), expression, image));
                parsed.add(i);
            } catch (DockerfileException e) {
                throw fail(from, "the image's ONBUILD trigger '" + expression + "' does not parse: " + e.reason(), -1, e);
            }
        }
        st.edit(cc -> cc.withOnBuild(List.of()));
        int n = 1;
        for (Instruction i : parsed) {
            step(prefix, ++n, steps + parsed.size(), i);
            applyStep(st, i);
        }
        return parsed.size();
    }

    // ---- instructions ----

    private void apply(StageState st, Instruction ins) {
        Map<String, String> env = st.env();
        switch (ins) {
            case Instruction.From f -> throw new IllegalStateException("FROM inside a stage");
            case Instruction.Run r -> run(st, r);
            case Instruction.Cmd c -> {
                List<String> cmd = command(st, c.command());
                st.cmdSet = true;
                st.edit(cc -> cc.withCmd(cmd));
            }
            case Instruction.Entrypoint e -> {
                List<String> ep = command(st, e.command());
                boolean reset = !st.cmdSet;
                st.edit(cc -> reset ? cc.withEntrypoint(ep).withCmd(null) : cc.withEntrypoint(ep));
            }
            case Instruction.Env e -> {
                List<String[]> pairs = new ArrayList<>();
                for (var kv : e.pairs()) pairs.add(new String[] {expand(e, env, kv.key()), expand(e, env, kv.value())});
                st.edit(cc -> {
                    for (String[] p : pairs) cc = cc.withEnvValue(p[0], p[1]);
                    return cc;
                });
            }
            case Instruction.Arg a -> {
                for (var kv : a.args()) {
                    String name = kv.key();
                    String value;
                    if (req.buildArgs().containsKey(name)) value = req.buildArgs().get(name);
                    else if (kv.value() != null) value = expand(a, st.env(), kv.value());
                    else if (globalArgs.get(name) != null) value = globalArgs.get(name);
                    else value = predefined.get(name);
                    if (value != null) st.args.put(name, value);
                    else st.args.remove(name);
                }
            }
            case Instruction.Label l -> {
                List<String[]> pairs = new ArrayList<>();
                for (var kv : l.pairs()) pairs.add(new String[] {expand(l, env, kv.key()), expand(l, env, kv.value())});
                st.edit(cc -> {
                    for (String[] p : pairs) cc = cc.withLabel(p[0], p[1]);
                    return cc;
                });
            }
            case Instruction.Maintainer m -> st.editImage(ic -> ic.withAuthor(m.name()));
            case Instruction.Expose e -> {
                Set<String> ports = new LinkedHashSet<>(st.config().exposedPorts());
                for (String p : e.ports()) {
                    for (String w : new Expander(env, df.escape()).splitWords(p)) ports.add(w.contains("/") ? w : w + "/tcp");
                }
                st.edit(cc -> cc.withExposedPorts(ports));
            }
            case Instruction.Volume v -> {
                Set<String> vols = new LinkedHashSet<>(st.config().volumes());
                for (String p : v.paths()) vols.add(expand(v, env, p));
                st.edit(cc -> cc.withVolumes(vols));
            }
            case Instruction.User u -> {
                String user = expand(u, env, u.user());
                st.edit(cc -> cc.withUser(user));
            }
            case Instruction.Workdir w -> {
                String path = expand(w, env, w.path());
                String cur = st.config().workingDir();
                String abs = path.startsWith("/") ? path : Adder.join(cur == null ? "/" : cur, path);
                String norm = Path.of(abs).normalize().toString();
                // Only recorded: the next COPY, ADD or RUN creates it (WorkingContainer.ensureWorkingDir, Runner).
                st.edit(cc -> cc.withWorkingDir(norm));
            }
            // --link only changes how BuildKit layers the result, not the result: accepted, nothing to do.
            case Instruction.Copy c -> copy(st, c, env, new CopyArgs(c.sources(), c.heredocs(), c.dest(), c.from(), c.chown(),
                    c.chmod(), c.excludes(), false, c.parents(), null));
            case Instruction.Add a -> copy(st, a, env, new CopyArgs(a.sources(), a.heredocs(), a.dest(), null, a.chown(),
                    a.chmod(), a.excludes(), true, false, a.checksum()));
            case Instruction.Onbuild o -> st.edit(cc -> {
                List<String> triggers = new ArrayList<>(cc.onBuild());
                triggers.add(o.expression());
                return cc.withOnBuild(triggers);
            });
            case Instruction.Stopsignal s -> {
                String sig = expand(s, env, s.signal());
                st.edit(cc -> cc.withStopSignal(sig));
            }
            case Instruction.Healthcheck h -> {
                HealthCheck hc;
                if (h.none()) {
                    hc = new HealthCheck(List.of("NONE"), 0, 0, 0, 0, 0);
                } else {
                    List<String> test = new ArrayList<>();
                    if (h.command().shellForm()) {
                        test.add("CMD-SHELL");
                        test.add(h.command().args().getFirst());
                    } else {
                        test.add("CMD");
                        test.addAll(h.command().args());
                    }
                    hc = new HealthCheck(test, nanos(h.interval()), nanos(h.timeout()), nanos(h.startPeriod()),
                            nanos(h.startInterval()), h.retries() == null ? 0 : h.retries());
                }
                st.edit(cc -> cc.withHealthcheck(hc));
            }
            case Instruction.Shell s -> st.edit(cc -> cc.withShell(s.shell()));
        }
    }

    private static long nanos(Duration d) {
        return d == null ? 0 : d.toNanos();
    }

    private static List<String> shell(StageState st) {
        List<String> sh = st.config().shell();
        return sh == null || sh.isEmpty() ? List.of("/bin/sh", "-c") : sh;
    }

    /** Exec form as written; shell form through the stage's SHELL. */
    private static List<String> command(StageState st, Instruction.Command c) {
        if (!c.shellForm()) return c.args();
        List<String> out = new ArrayList<>(shell(st));
        out.add(c.args().getFirst());
        return out;
    }

    private void run(StageState st, Instruction.Run r) {
        List<String> args;
        Instruction.Command c = r.command();
        if (!c.shellForm()) {
            args = c.args();
        } else {
            String line = c.args().getFirst();
            args = new ArrayList<>(shell(st));
            if (r.heredocs().size() == 1 && line.strip().startsWith("<<") && !line.strip().contains(" ")) {
                args.add(r.heredocs().getFirst().content());
            } else {
                StringBuilder script = new StringBuilder(line);
                for (Heredoc h : r.heredocs()) script.append('\n').append(h.content()).append(h.name());
                args.add(script.toString());
            }
        }
        // ARGs reach RUN as environment variables, below the image's ENV.
        Set<String> envNames = new LinkedHashSet<>();
        for (String e : st.config().env()) envNames.add(e.contains("=") ? e.substring(0, e.indexOf('=')) : e);
        List<String> argEnv = new ArrayList<>();
        st.args.forEach((k, v) -> {
            if (!envNames.contains(k)) argEnv.add(k + "=" + v);
        });
        // The predefined proxy ARGs reach every RUN when given with --build-arg, declared or not, and
        // (as in Docker and buildah) stay out of the cache key and the image.
        for (String p : PROXY_ARGS) {
            if (req.buildArgs().containsKey(p) && !st.args.containsKey(p) && !envNames.contains(p)) {
                argEnv.add(p + "=" + req.buildArgs().get(p));
            }
        }
        String network = r.network() != null ? r.network() : req.network();
        if ("default".equals(network) || "private".equals(network)) network = "host";
        RunOptions opts = new RunOptions(args, argEnv, null, null, null, false, network, req.volumes(), req.isolation(),
                req.runtime());
        Map<String, String> env = st.env();
        List<RunMount> mounts = new ArrayList<>();
        for (String m : r.mounts()) mounts.add(RunMount.parse(m, w -> expand(r, env, w)));
        out.flush();
        int code;
        try (RunMounts rm = RunMounts.prepare(kiln, st.ctr(), mounts, context.root(), mountImages(st))) {
            code = st.ctr().run(opts, rm.mounts(), null, out, out);
        }
        out.flush();
        if (code != 0) throw fail(r, "RUN exited " + code, code, null);
    }

    /** Containers of the stages and images a RUN's {@code --mount from=} names, removed when the RUN ends. */
    private RunMounts.Images mountImages(StageState st) {
        return new RunMounts.Images() {
            @Override
            public WorkingContainer open(String from) {
                Stage stage = stageNamed(from, st.stage.index());
                return container(stage != null ? stageImages.get(stage.index()) : from);
            }

            @Override
            public void release(WorkingContainer ctr) {
                try {
                    ctr.unmount();
                } finally {
                    kiln.removeContainer(ctr.id());
                    containers.remove(ctr.id());
                }
            }
        };
    }

    /** What COPY and ADD say, as written (before expansion). */
    private record CopyArgs(List<String> sources, List<Heredoc> heredocs, String dest, String from, String chown, String chmod,
            List<String> excludes, boolean add, boolean parents, String checksum) {}

    private void copy(StageState st, Instruction ins, Map<String, String> env, CopyArgs a) {
        List<String> sources = new ArrayList<>();
        for (String s : a.sources()) sources.add(expand(ins, env, s));
        String dest = expand(ins, env, a.dest());
        String chown = a.chown() == null ? null : expand(ins, env, a.chown());
        String chmod = a.chmod() == null ? null : expand(ins, env, a.chmod());
        String checksum = a.checksum() == null ? null : expand(ins, env, a.checksum());
        List<String> excludes = new ArrayList<>();
        for (String e : a.excludes()) excludes.add(expand(ins, env, e));
        List<String> urls = sources.stream().filter(UrlFetcher::isUrl).toList();
        if (!a.add() && !urls.isEmpty()) throw new InvalidInputException("COPY takes no URLs (" + urls.getFirst() + "); ADD downloads them");
        if (checksum != null && (urls.size() != 1 || sources.size() != 1)) {
            throw new InvalidInputException("--checksum needs exactly one source, an http(s) URL");
        }
        boolean intoDir = sources.size() + a.heredocs().size() > 1;
        st.ctr().ensureWorkingDir();
        if (!a.heredocs().isEmpty()) copyHeredocs(st, a.heredocs(), env, dest, new CopyOptions(chown, chmod, false, null));
        if (!urls.isEmpty()) {
            addUrls(st, urls, intoDir && !dest.endsWith("/") ? dest + "/" : dest, checksum, new CopyOptions(chown, chmod, false, null));
        }
        List<String> local = sources.stream().filter(x -> !UrlFetcher.isUrl(x)).toList();
        if (local.isEmpty()) return;
        if (a.from() != null) {
            copyFrom(st, expand(ins, fromEnv(), a.from()), local, dest, a.parents(), chown, chmod);
        } else if (a.parents()) {
            copyParents(st, local, excludes, dest, new CopyOptions(chown, chmod, false, null));
        } else {
            copyContext(st, local, excludes, dest, intoDir, new CopyOptions(chown, chmod, a.add(), null));
        }
    }

    private void copyContext(StageState st, List<String> sources, List<String> excludes, String dest, boolean intoDir,
            CopyOptions options) {
        List<ContextFile> files = context.select(sources, excludes, true);
        List<Adder.Selected> entries = new ArrayList<>();
        Set<String> distinct = new LinkedHashSet<>();
        for (ContextFile f : files) {
            distinct.add(f.source());
            boolean inDir = Files.isDirectory(sourcePath(f));
            entries.add(new Adder.Selected(f.hostPath(), f.path(), inDir, f.type() == ContextFile.Type.DIRECTORY));
        }
        st.ctr().addSelected(entries, dest, intoDir || distinct.size() > 1, options);
    }

    private Path sourcePath(ContextFile f) {
        return f.source().isEmpty() ? context.root() : context.root().resolve(f.source());
    }

    /**
     * {@code COPY --parents} (BuildKit): each source keeps its path below the destination
     * ({@code a/x.txt} to {@code /dst/a/x.txt}), or the part after a {@code /./} pivot
     * ({@code src/./app/x} to {@code /dst/app/x}); a directory source's entries go below it.
     */
    private void copyParents(StageState st, List<String> sources, List<String> excludes, String dest, CopyOptions options) {
        List<Adder.Selected> entries = new ArrayList<>();
        for (String source : sources) {
            int drop = pivotDepth(source);
            for (ContextFile f : context.select(List.of(source), excludes, true)) {
                String kept = dropComponents(f.source(), drop);
                boolean dirSource = Files.isDirectory(sourcePath(f));
                String rel = !dirSource ? kept : kept.isEmpty() ? f.path() : kept + "/" + f.path();
                entries.add(new Adder.Selected(f.hostPath(), rel, true, f.type() == ContextFile.Type.DIRECTORY));
            }
        }
        st.ctr().addSelected(entries, dest, true, options);
    }

    /** How many leading path components of {@code source} a {@code /./} pivot drops (0 without one). */
    private static int pivotDepth(String source) {
        String s = source.startsWith("./") ? source.substring(2) : source;
        int pivot = s.indexOf("/./");
        if (pivot < 0) return 0;
        return (int) java.util.Arrays.stream(Path.of("/" + s.substring(0, pivot)).normalize().toString().split("/"))
                .filter(c -> !c.isEmpty()).count();
    }

    private static String dropComponents(String path, int n) {
        String[] parts = path.isEmpty() ? new String[0] : path.split("/");
        return String.join("/", java.util.Arrays.asList(parts).subList(Math.min(n, parts.length), parts.length));
    }

    /**
     * ADD of URLs: each downloaded into the store's tmp/ (checked against {@code checksum}), then
     * added as a file named after the URL's last path segment (or {@code dest}'s own name), mode
     * 0600 unless {@code --chmod}, never extracted, as buildah adds it.
     */
    private void addUrls(StageState st, List<String> urls, String dest, String checksum, CopyOptions options) {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory(kiln.store().tmpDir(), "add-url-");
            int n = 0;
            for (String url : urls) {
                String name = UrlFetcher.fileName(java.net.URI.create(url));
                if (name == null) {
                    if (dest.endsWith("/")) {
                        throw new InvalidInputException("cannot tell a file name from " + url + "; give the destination as a file path");
                    }
                    name = Adder.nameOf(dest);
                }
                Path dir = Files.createDirectory(tmp.resolve(Integer.toString(n++)));
                UrlFetcher.fetch(url, dir, name, checksum);
                st.ctr().add(List.of(name), dest, new CopyOptions(options.chown(), options.chmod(), false, dir));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
    }

    /** COPY/ADD here-documents: each a file named after its delimiter, expanded unless the delimiter was quoted. */
    private void copyHeredocs(StageState st, List<Heredoc> heredocs, Map<String, String> env, String dest, CopyOptions options) {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory(kiln.store().tmpDir(), "heredoc-");
            List<String> names = new ArrayList<>();
            for (Heredoc h : heredocs) {
                String content = h.expand() ? new Expander(env, df.escape()).expandHeredoc(h.content()) : h.content();
                Files.writeString(tmp.resolve(h.name()), content);
                names.add(h.name());
            }
            st.ctr().add(names, heredocs.size() > 1 && !dest.endsWith("/") ? dest + "/" : dest,
                    new CopyOptions(options.chown(), options.chmod(), false, tmp));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
    }

    /**
     * {@code COPY --from}: sources resolved inside a mounted container of the stage or image (its
     * absolute symlinks never reach the host); with {@code parents}, each keeps its path as in
     * {@link #copyParents}.
     */
    private void copyFrom(StageState st, String from, List<String> sources, String dest, boolean parents, String chown,
            String chmod) {
        Stage stage = stageNamed(from, st.stage.index());
        String image = stage != null ? stageImages.get(stage.index()) : from;
        WorkingContainer other = container(image);
        try {
            Path root = other.mount();
            CopyOptions options = new CopyOptions(chown, chmod, false, root);
            if (!parents) {
                List<String> rel = new ArrayList<>();
                for (String s : sources) rel.addAll(resolveIn(root, from, s, false));
                st.ctr().add(rel, dest, options);
                return;
            }
            String dir = dest.endsWith("/") ? dest : dest + "/";
            for (String s : sources) {
                int drop = pivotDepth(s.replaceFirst("^/+", ""));
                for (String match : resolveIn(root, from, s, true)) {
                    Path p = Path.of(match);
                    String kept = dropComponents(root.relativize(p).toString(), drop);
                    String target = Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? dir + kept : dir + Adder.parentOf("/" + kept).substring(1);
                    st.ctr().add(List.of(match), target.endsWith("/") ? target : target + "/", options);
                }
            }
        } finally {
            try {
                other.unmount();
            } finally {
                kiln.removeContainer(other.id());
                containers.remove(other.id());
            }
        }
    }

    /**
     * A COPY --from source as paths inside {@code root}: a plain path resolved there; a glob left
     * for {@link Adder} to expand, or expanded here when {@code expandGlobs}.
     */
    private static List<String> resolveIn(Path root, String from, String source, boolean expandGlobs) {
        String r = source.replaceFirst("^/+", "");
        if (Glob.hasMeta(r)) {
            if (!expandGlobs) return List.of(r);
            List<String> out = Glob.expand(root, r).stream().map(Path::toString).toList();
            if (out.isEmpty()) throw new NotFoundException("COPY --from=" + from + ": no file matches " + source);
            return out;
        }
        try {
            // Resolved inside the other image's root: its absolute symlinks must not reach the host.
            return List.of(dev.kiln.layer.SafePath.resolve(root, "/" + r).toString());
        } catch (IOException e) {
            throw new NotFoundException("COPY --from=" + from + ": " + source + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path p) {
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        } catch (IOException ignored) {
            // tmp is cleaned by gc
        }
    }
}

package dev.kiln;

import dev.kiln.dockerfile.Context;
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
import java.util.Set;
import java.util.TreeSet;

/**
 * The build executor of this slice (no layer cache): the stages the target needs, in order, each
 * a working container from its base (an image, scratch, or an earlier stage's image) that the
 * instructions edit, committed once at the end of the stage (one layer per stage). Lives in the
 * facade package to drive {@link WorkingContainer} directly; a later slice can move the engine to
 * {@code dev.kiln.build}. Every working container it makes is removed when it ends, and every
 * intermediate stage image too.
 */
final class Builder {
    private final Kiln kiln;
    private final BuildRequest req;
    private final PrintStream out;
    private final Dockerfile df;
    private final String fileName;
    private final Context context;
    private final Set<String> containers = new LinkedHashSet<>();
    private final Map<Integer, String> stageImages = new HashMap<>();
    private final Map<String, String> predefined = new LinkedHashMap<>();
    /** Global ARGs (before the first FROM) with their resolved values; null = declared without one. */
    private final Map<String, String> globalArgs = new LinkedHashMap<>();
    private final Map<String, String> globalEnv = new LinkedHashMap<>();
    /** The ONBUILD triggers of base images, by identity: their STEP text and errors are not the Dockerfile's. */
    private final Map<Instruction, Trigger> triggers = new java.util.IdentityHashMap<>();

    Builder(Kiln kiln, BuildRequest req) {
        this.kiln = kiln;
        this.req = req;
        this.out = req.progress() != null ? req.progress() : new PrintStream(OutputStream.nullOutputStream());
        Path dir = req.contextDir();
        Path file = dockerfile(dir, req.dockerfile());
        this.fileName = file.getFileName().toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NotFoundException("cannot read the Dockerfile " + file + ": " + e.getMessage(), e);
        }
        this.df = DockerfileParser.parse(text, fileName);
        this.context = Context.load(dir, file.startsWith(dir.toAbsolutePath()) ? dir.toAbsolutePath().relativize(file).toString()
                : file.toString());
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
        String finalId = null;
        try {
            resolveGlobalArgs();
            List<Stage> stages = neededStages();
            List<String> built = new ArrayList<>();
            CommitResult last = null;
            for (int i = 0; i < stages.size(); i++) {
                Stage s = stages.get(i);
                boolean isFinal = i == stages.size() - 1;
                last = buildStage(s, i, stages.size(), isFinal);
                stageImages.put(s.index(), last.imageId());
                built.add(s.name() != null ? s.name() : Integer.toString(s.index()));
            }
            finalId = last.imageId();
            List<String> names = new ArrayList<>();
            if (last.name() != null) names.add(last.name());
            for (int t = 1; t < req.tags().size(); t++) names.add(kiln.tag(finalId, req.tags().get(t)));
            if (req.iidfile() != null) {
                try {
                    Files.writeString(req.iidfile(), "sha256:" + finalId);
                } catch (IOException e) {
                    throw new KilnException("writing --iidfile " + req.iidfile() + ": " + e.getMessage(), e);
                }
            }
            out.println(finalId);
            out.flush();
            ok = true;
            return new BuildResult(finalId, last.manifest(), names, built);
        } finally {
            cleanup(ok ? finalId : null);
        }
    }

    private void cleanup(String keep) {
        for (String id : List.copyOf(containers)) {
            try {
                kiln.removeContainer(id);
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
        for (String id : new TreeSet<>(stageImages.values())) {
            if (id.equals(keep)) continue;
            try {
                kiln.removeImage(id, true);
            } catch (RuntimeException ignored) {
                // shared with another stage, or already gone
            }
        }
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
            Stage base = stageNamed(expand(s.from(), fromEnv(), s.from().image()), s.index());
            if (base != null) todo.add(base);
            for (Instruction i : s.instructions()) {
                if (i instanceof Instruction.Copy c && c.from() != null) {
                    Stage dep = stageNamed(expand(c, fromEnv(), c.from()), s.index());
                    if (dep != null) todo.add(dep);
                }
                if (i instanceof Instruction.Run r) {
                    for (String from : mountSources(r)) {
                        Stage dep = stageNamed(from, s.index());
                        if (dep != null) todo.add(dep);
                    }
                }
            }
        }
        List<Stage> out = new ArrayList<>();
        for (Stage s : df.stages()) if (needed.contains(s.index())) out.add(s);
        return out;
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

    private final class StageState {
        final Stage stage;
        final WorkingContainer ctr;
        final Map<String, String> args = new LinkedHashMap<>();
        boolean cmdSet;

        StageState(Stage stage, WorkingContainer ctr) {
            this.stage = stage;
            this.ctr = ctr;
        }

        ContainerConfig config() {
            return ctr.imageConfig().config();
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

        void edit(java.util.function.UnaryOperator<ContainerConfig> f) {
            ctr.editConfig(ic -> ic.withConfig(f.apply(ic.config())));
        }
    }

    private CommitResult buildStage(Stage s, int nth, int stageCount, boolean isFinal) {
        String prefix = stageCount > 1 ? "[" + (nth + 1) + "/" + stageCount + "] " : "";
        int steps = s.instructions().size() + 1;
        step(prefix, 1, steps, s.from());
        String baseRef;
        WorkingContainer ctr;
        try {
            baseRef = expand(s.from(), fromEnv(), s.from().image());
            Stage baseStage = stageNamed(baseRef, s.index());
            String image = baseStage != null ? stageImages.get(baseStage.index()) : baseRef;
            ctr = container(image);
        } catch (BuildException e) {
            throw e;
        } catch (KilnException e) {
            throw fail(s.from(), e.getMessage(), -1, e);
        }
        StageState st = new StageState(s, ctr);
        int n = 1 + begin(st, prefix, steps);
        steps += n - 1;
        for (Instruction i : s.instructions()) {
            step(prefix, ++n, steps, i);
            applyStep(st, i);
        }
        String name = isFinal && !req.tags().isEmpty() ? req.tags().getFirst() : null;
        if (!req.quiet()) out.println("COMMIT" + (name != null ? " " + name : ""));
        CommitResult r = ctr.commit(name, new CommitOptions(isFinal && req.squash(), req.format(), req.timestamp(), null,
                true, "kiln build: stage " + (s.name() != null ? s.name() : s.index())));
        containers.remove(ctr.id());
        if (!req.quiet()) out.println("--> " + r.imageId().substring(0, 12));
        return r;
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
        try {
            apply(st, i);
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
            case Instruction.Maintainer m -> st.ctr.editConfig(ic -> ic.withAuthor(m.name()));
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
        String network = r.network() != null ? r.network() : req.network();
        if ("default".equals(network) || "private".equals(network)) network = "host";
        RunOptions opts = new RunOptions(args, argEnv, null, null, null, false, network, List.of(), req.isolation(),
                req.runtime());
        Map<String, String> env = st.env();
        List<RunMount> mounts = new ArrayList<>();
        for (String m : r.mounts()) mounts.add(RunMount.parse(m, w -> expand(r, env, w)));
        out.flush();
        int code;
        try (RunMounts rm = RunMounts.prepare(kiln, st.ctr, mounts, context.root(), mountImages(st))) {
            code = st.ctr.run(opts, rm.mounts(), null, out, out);
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
        st.ctr.ensureWorkingDir();
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
        st.ctr.addSelected(entries, dest, intoDir || distinct.size() > 1, options);
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
        st.ctr.addSelected(entries, dest, true, options);
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
                st.ctr.add(List.of(name), dest, new CopyOptions(options.chown(), options.chmod(), false, dir));
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
            st.ctr.add(names, heredocs.size() > 1 && !dest.endsWith("/") ? dest + "/" : dest,
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
                st.ctr.add(rel, dest, options);
                return;
            }
            String dir = dest.endsWith("/") ? dest : dest + "/";
            for (String s : sources) {
                int drop = pivotDepth(s.replaceFirst("^/+", ""));
                for (String match : resolveIn(root, from, s, true)) {
                    Path p = Path.of(match);
                    String kept = dropComponents(root.relativize(p).toString(), drop);
                    String target = Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? dir + kept : dir + Adder.parentOf("/" + kept).substring(1);
                    st.ctr.add(List.of(match), target.endsWith("/") ? target : target + "/", options);
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

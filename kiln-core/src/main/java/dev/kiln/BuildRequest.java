package dev.kiln;

import dev.kiln.oci.InvalidInputException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Kiln#build} builds, as {@code kiln build} flags give it. Made with
 * {@link #builder(Path)} (or {@link #of(Path)} and the {@code with} methods); optional fields are
 * null (or empty) when not given.
 *
 * @param contextDir    the build context: a directory, or a tar archive (optionally compressed)
 * @param contextStream a tar stream to use as the context instead of {@code contextDir} (the CLI's
 *     {@code -}); null = none. Read once, unpacked into the store's tmp/ for the build
 * @param dockerfile    the Dockerfile; null means {@code Containerfile} or else {@code Dockerfile} in
 *     the context; a relative path that does not exist as given is looked up in the context
 * @param tags          names for the final image (the first is committed, the others tagged); empty = unnamed
 * @param buildArgs     {@code --build-arg} values; they override ARG defaults
 * @param target        the stage to build (name or index); null = the last stage
 * @param format        "oci" (default) or "docker"
 * @param timestamp     epoch seconds for created times and every file's mtime; null = now
 * @param network       RUN's network: "host" (default) or "none"
 * @param runtime       OCI runtime for RUN: "runc" (default), "crun" or a path
 * @param isolation     "oci" (default) or "chroot"
 * @param squash        the final image as one layer (implies {@code layers=false}, as buildah)
 * @param iidfile       where to write the image id ("sha256:HEX"); null = nowhere
 * @param quiet         print no STEP lines (RUN output and the final id still go to {@code progress})
 * @param progress      where STEP lines, RUN output and the final image id go; null = nowhere
 * @param layers        one layer per RUN/COPY/ADD with the layer cache (default); false = one layer per stage, no cache
 * @param noCache       with layers: look nothing up in the cache (steps still enter it)
 * @param cacheFrom     registry repositories ({@code host/repo}) to look cache steps up in after the local cache
 * @param cacheTo       registry repositories every newly built cache step is pushed to
 * @param jobs          stages built at once; 0 = the number of cores
 * @param pull          when to pull a FROM image: "missing" (default), "always", "never"
 * @param volumes       {@code HOST:CTR[:ro|rw]} bind mounts for every RUN (never in a layer)
 * @param labels        labels set on the final image (after the Dockerfile's)
 * @param annotations   manifest annotations of the final image (OCI format)
 * @param compression   layer compression of committed layers: null/"none" (default, as buildah), "gzip", "zstd"
 */
public record BuildRequest(Path contextDir, InputStream contextStream, Path dockerfile, List<String> tags,
        Map<String, String> buildArgs, String target, String format, Long timestamp, String network, String runtime,
        String isolation, boolean squash, Path iidfile, boolean quiet, PrintStream progress, boolean layers,
        boolean noCache, List<String> cacheFrom, List<String> cacheTo, int jobs, String pull, List<String> volumes,
        Map<String, String> labels, Map<String, String> annotations, String compression) {
    public BuildRequest {
        if (contextDir == null && contextStream == null) throw new InvalidInputException("build: no context given");
        tags = tags == null ? List.of() : List.copyOf(tags);
        buildArgs = buildArgs == null ? Map.of() : Map.copyOf(buildArgs);
        format = format == null || format.isEmpty() ? "oci" : format;
        if (!format.equals("oci") && !format.equals("docker")) {
            throw new InvalidInputException("build: format must be 'oci' or 'docker', got '" + format + "'");
        }
        cacheFrom = cacheFrom == null ? List.of() : List.copyOf(cacheFrom);
        cacheTo = cacheTo == null ? List.of() : List.copyOf(cacheTo);
        if (jobs < 0) throw new InvalidInputException("build: --jobs must be 0 (one per core) or more, got " + jobs);
        pull = pull == null || pull.isEmpty() ? "missing" : pull;
        if (!List.of("missing", "always", "never").contains(pull)) {
            throw new InvalidInputException("build: pull policy must be missing, always or never, got '" + pull + "'");
        }
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        annotations = annotations == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
        if (compression != null && !List.of("none", "gzip", "zstd").contains(compression)) {
            throw new InvalidInputException("build: compression must be none, gzip or zstd, got '" + compression + "'");
        }
    }

    /** The context {@code contextDir}, its default Dockerfile, nothing else set. */
    public static BuildRequest of(Path contextDir) {
        return builder(contextDir).build();
    }

    /** A builder with every default: layers and the cache on, pull missing, OCI format. */
    public static Builder builder(Path contextDir) {
        return new Builder().context(contextDir);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.contextDir = contextDir;
        b.contextStream = contextStream;
        b.dockerfile = dockerfile;
        b.tags = new ArrayList<>(tags);
        b.buildArgs = new LinkedHashMap<>(buildArgs);
        b.target = target;
        b.format = format;
        b.timestamp = timestamp;
        b.network = network;
        b.runtime = runtime;
        b.isolation = isolation;
        b.squash = squash;
        b.iidfile = iidfile;
        b.quiet = quiet;
        b.progress = progress;
        b.layers = layers;
        b.noCache = noCache;
        b.cacheFrom = new ArrayList<>(cacheFrom);
        b.cacheTo = new ArrayList<>(cacheTo);
        b.jobs = jobs;
        b.pull = pull;
        b.volumes = new ArrayList<>(volumes);
        b.labels = new LinkedHashMap<>(labels);
        b.annotations = new LinkedHashMap<>(annotations);
        b.compression = compression;
        return b;
    }

    public BuildRequest withDockerfile(Path file) {
        return toBuilder().dockerfile(file).build();
    }

    public BuildRequest withTags(String... newTags) {
        return toBuilder().tags(List.of(newTags)).build();
    }

    public BuildRequest withBuildArgs(Map<String, String> args) {
        return toBuilder().buildArgs(args).build();
    }

    public BuildRequest withTarget(String stage) {
        return toBuilder().target(stage).build();
    }

    public BuildRequest withProgress(PrintStream out) {
        return toBuilder().progress(out).build();
    }

    public BuildRequest withPull(String policy) {
        return toBuilder().pull(policy).build();
    }

    /** Mutable maker of a {@link BuildRequest}; every setter returns this. */
    public static final class Builder {
        private Path contextDir;
        private InputStream contextStream;
        private Path dockerfile;
        private List<String> tags = new ArrayList<>();
        private Map<String, String> buildArgs = new LinkedHashMap<>();
        private String target;
        private String format = "oci";
        private Long timestamp;
        private String network;
        private String runtime;
        private String isolation;
        private boolean squash;
        private Path iidfile;
        private boolean quiet;
        private PrintStream progress;
        private boolean layers = true;
        private boolean noCache;
        private List<String> cacheFrom = new ArrayList<>();
        private List<String> cacheTo = new ArrayList<>();
        private int jobs;
        private String pull = "missing";
        private List<String> volumes = new ArrayList<>();
        private Map<String, String> labels = new LinkedHashMap<>();
        private Map<String, String> annotations = new LinkedHashMap<>();
        private String compression;

        private Builder() {}

        public Builder context(Path dir) {
            contextDir = dir;
            return this;
        }

        public Builder contextStream(InputStream tar) {
            contextStream = tar;
            return this;
        }

        public Builder dockerfile(Path file) {
            dockerfile = file;
            return this;
        }

        public Builder tags(List<String> names) {
            tags = new ArrayList<>(names);
            return this;
        }

        public Builder tag(String name) {
            tags.add(name);
            return this;
        }

        public Builder buildArgs(Map<String, String> args) {
            buildArgs = new LinkedHashMap<>(args);
            return this;
        }

        public Builder buildArg(String name, String value) {
            buildArgs.put(name, value);
            return this;
        }

        public Builder target(String stage) {
            target = stage;
            return this;
        }

        public Builder format(String f) {
            format = f;
            return this;
        }

        public Builder timestamp(Long epochSeconds) {
            timestamp = epochSeconds;
            return this;
        }

        public Builder network(String n) {
            network = n;
            return this;
        }

        public Builder runtime(String r) {
            runtime = r;
            return this;
        }

        public Builder isolation(String i) {
            isolation = i;
            return this;
        }

        public Builder squash(boolean s) {
            squash = s;
            return this;
        }

        public Builder iidfile(Path file) {
            iidfile = file;
            return this;
        }

        public Builder quiet(boolean q) {
            quiet = q;
            return this;
        }

        public Builder progress(PrintStream out) {
            progress = out;
            return this;
        }

        public Builder layers(boolean l) {
            layers = l;
            return this;
        }

        public Builder noCache(boolean n) {
            noCache = n;
            return this;
        }

        public Builder cacheFrom(List<String> repos) {
            cacheFrom = new ArrayList<>(repos);
            return this;
        }

        public Builder cacheTo(List<String> repos) {
            cacheTo = new ArrayList<>(repos);
            return this;
        }

        public Builder jobs(int n) {
            jobs = n;
            return this;
        }

        public Builder pull(String policy) {
            pull = policy;
            return this;
        }

        public Builder volumes(List<String> v) {
            volumes = new ArrayList<>(v);
            return this;
        }

        public Builder labels(Map<String, String> l) {
            labels = new LinkedHashMap<>(l);
            return this;
        }

        public Builder annotations(Map<String, String> a) {
            annotations = new LinkedHashMap<>(a);
            return this;
        }

        public Builder compression(String c) {
            compression = c;
            return this;
        }

        public BuildRequest build() {
            return new BuildRequest(contextDir, contextStream, dockerfile, tags, buildArgs, target, format, timestamp,
                    network, runtime, isolation, squash, iidfile, quiet, progress, layers, noCache, cacheFrom, cacheTo,
                    jobs, pull, volumes, labels, annotations, compression);
        }
    }
}

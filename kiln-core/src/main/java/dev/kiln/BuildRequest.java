package dev.kiln;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@link Kiln#build} builds, as {@code kiln build} flags give it. Optional fields are null
 * (or empty) when not given.
 *
 * @param contextDir the build context directory
 * @param dockerfile the Dockerfile; null means {@code Containerfile} or else {@code Dockerfile} in
 *     the context; a relative path that does not exist as given is looked up in the context
 * @param tags       names for the final image (the first is committed, the others tagged); empty = unnamed
 * @param buildArgs  {@code --build-arg} values; they override ARG defaults
 * @param target     the stage to build (name or index); null = the last stage
 * @param format     "oci" (default) or "docker"
 * @param timestamp  epoch seconds for created times and every file's mtime; null = now
 * @param network    RUN's network: "host" (default) or "none"
 * @param runtime    OCI runtime for RUN: "runc" (default), "crun" or a path
 * @param isolation  "oci" (default) or "chroot"
 * @param squash     the final image as one layer
 * @param iidfile    where to write the image id ("sha256:HEX"); null = nowhere
 * @param quiet      print no STEP lines (RUN output and the final id still go to {@code progress})
 * @param progress   where STEP lines, RUN output and the final image id go; null = nowhere
 * @param pull       when FROM and {@code COPY --from} pull an image the store lacks: "missing" (default: pull
 *     it) or "never" (a missing image is an error), as buildah's {@code --pull=missing|never}
 */
public record BuildRequest(Path contextDir, Path dockerfile, List<String> tags, Map<String, String> buildArgs,
        String target, String format, Long timestamp, String network, String runtime, String isolation,
        boolean squash, Path iidfile, boolean quiet, PrintStream progress, String pull) {
    public BuildRequest {
        if (contextDir == null) throw new dev.kiln.oci.InvalidInputException("build: no context directory given");
        tags = tags == null ? List.of() : List.copyOf(tags);
        buildArgs = buildArgs == null ? Map.of() : Map.copyOf(buildArgs);
        format = format == null || format.isEmpty() ? "oci" : format;
        if (!format.equals("oci") && !format.equals("docker")) {
            throw new dev.kiln.oci.InvalidInputException("build: format must be 'oci' or 'docker', got '" + format + "'");
        }
        pull = pull == null || pull.isEmpty() ? "missing" : pull;
        if (!pull.equals("missing") && !pull.equals("never")) {
            throw new dev.kiln.oci.InvalidInputException("build: pull policy must be 'missing' or 'never', got '" + pull + "'");
        }
    }

    /** Every field but {@code pull}, which is "missing". */
    public BuildRequest(Path contextDir, Path dockerfile, List<String> tags, Map<String, String> buildArgs, String target,
            String format, Long timestamp, String network, String runtime, String isolation, boolean squash, Path iidfile,
            boolean quiet, PrintStream progress) {
        this(contextDir, dockerfile, tags, buildArgs, target, format, timestamp, network, runtime, isolation, squash, iidfile,
                quiet, progress, null);
    }

    /** The context {@code contextDir}, its default Dockerfile, nothing else set. */
    public static BuildRequest of(Path contextDir) {
        return new BuildRequest(contextDir, null, List.of(), Map.of(), null, "oci", null, null, null, null, false, null,
                false, null);
    }

    public BuildRequest withDockerfile(Path file) {
        return new BuildRequest(contextDir, file, tags, buildArgs, target, format, timestamp, network, runtime, isolation,
                squash, iidfile, quiet, progress, pull);
    }

    public BuildRequest withTags(String... newTags) {
        return new BuildRequest(contextDir, dockerfile, List.of(newTags), buildArgs, target, format, timestamp, network,
                runtime, isolation, squash, iidfile, quiet, progress, pull);
    }

    public BuildRequest withBuildArgs(Map<String, String> args) {
        return new BuildRequest(contextDir, dockerfile, tags, args, target, format, timestamp, network, runtime, isolation,
                squash, iidfile, quiet, progress, pull);
    }

    public BuildRequest withTarget(String stage) {
        return new BuildRequest(contextDir, dockerfile, tags, buildArgs, stage, format, timestamp, network, runtime,
                isolation, squash, iidfile, quiet, progress, pull);
    }

    public BuildRequest withProgress(PrintStream out) {
        return new BuildRequest(contextDir, dockerfile, tags, buildArgs, target, format, timestamp, network, runtime,
                isolation, squash, iidfile, quiet, out, pull);
    }

    public BuildRequest withPull(String policy) {
        return new BuildRequest(contextDir, dockerfile, tags, buildArgs, target, format, timestamp, network, runtime,
                isolation, squash, iidfile, quiet, progress, policy);
    }
}

package dev.kiln;

import dev.kiln.oci.Digest;
import java.util.List;

/**
 * A finished build: the final image's id (its config digest, 64 hex), its manifest digest, the
 * full names it was given, the stages that were built (name, or index when unnamed), in order,
 * and how many cache steps (RUN, COPY, ADD, a stage's end) came from the cache and how many ran.
 */
public record BuildResult(String imageId, Digest manifest, List<String> names, List<String> stagesBuilt, int cacheHits,
        int cacheMisses) {
    public BuildResult {
        names = List.copyOf(names);
        stagesBuilt = List.copyOf(stagesBuilt);
    }
}

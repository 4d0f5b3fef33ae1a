package dev.kiln;

import dev.kiln.oci.Digest;
import java.util.List;

/**
 * A finished build: the final image's id (its config digest, 64 hex), its manifest digest, the
 * full names it was given, and the stages that were built (name, or index when unnamed), in order.
 */
public record BuildResult(String imageId, Digest manifest, List<String> names, List<String> stagesBuilt) {
    public BuildResult {
        names = List.copyOf(names);
        stagesBuilt = List.copyOf(stagesBuilt);
    }
}

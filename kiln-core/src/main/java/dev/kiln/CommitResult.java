package dev.kiln;

import dev.kiln.oci.Digest;

/** What {@code commit} made: the image id (config digest hex), its manifest digest, and its name if it has one. */
public record CommitResult(String imageId, Digest manifest, String name) {}

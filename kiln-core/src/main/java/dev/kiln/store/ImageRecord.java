package dev.kiln.store;

import dev.kiln.oci.Digest;

import java.util.Map;

/**
 * One entry of the store's index.json: a manifest (or index) descriptor, named by the annotation
 * {@code org.opencontainers.image.ref.name} or unnamed ({@code name} null).
 */
public record ImageRecord(String name, String mediaType, Digest manifest, long size, Map<String, String> annotations) {
    public ImageRecord {
        annotations = Map.copyOf(annotations);
    }
}

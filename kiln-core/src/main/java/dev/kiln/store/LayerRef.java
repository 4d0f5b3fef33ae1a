package dev.kiln.store;

import dev.kiln.oci.Digest;

/** A layer of an image: its uncompressed digest (diffID, from the config) and the blob holding it. */
public record LayerRef(Digest diffId, Digest blob) {}

package dev.kiln;

import dev.kiln.oci.Digest;
import java.util.List;

/**
 * An image in the store.
 *
 * @param id       the image id: the config digest's hex, as buildah and podman show it
 * @param names    its names (e.g. "localhost/app:latest"); empty for an unnamed image
 * @param manifest the manifest digest
 * @param size     total size of its layers as stored, in bytes
 * @param created  the config's created time (RFC 3339), or null
 */
public record ImageInfo(String id, List<String> names, Digest manifest, String manifestMediaType, long size, String created) {}

package dev.kiln.registry;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;

/**
 * A manifest or index exactly as the registry sent it. Keep {@code bytes}: the digest is of
 * these bytes, and re-serialising a parsed record may not reproduce them.
 *
 * @param bytes     the document
 * @param mediaType from the Content-Type header, or the document's {@code mediaType} field when
 *                  the registry sent a generic type
 * @param digest    the digest of {@code bytes} (already checked against the requested digest and
 *                  against Docker-Content-Digest when the registry sent one)
 */
public record ManifestResponse(byte[] bytes, String mediaType, Digest digest) {
    public ManifestResponse {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** A descriptor of this document, for an index or the store. */
    public Descriptor descriptor() {
        return Descriptor.of(mediaType, digest, bytes.length);
    }
}

package dev.kiln.transport;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Manifest;
import java.io.IOException;
import java.io.InputStream;

/**
 * One image as a value: the manifest and config exactly as their digests were computed over,
 * plus a way to read its blobs. Every place an image can live reads into and writes from this.
 *
 * @param refName the name it had where it came from (an OCI ref.name, a docker-archive RepoTag), or null
 */
public record ImageData(byte[] manifestBytes, Manifest manifest, String manifestMediaType, byte[] configBytes,
                        String refName, BlobReader blobs) {

    /** Opens a blob of the image (a layer), as stored at its source. */
    @FunctionalInterface
    public interface BlobReader {
        InputStream open(Descriptor blob) throws IOException;
    }

    public Digest manifestDigest() {
        return Digest.sha256(manifestBytes);
    }

    public Descriptor manifestDescriptor() {
        return Descriptor.of(manifestMediaType, manifestDigest(), manifestBytes.length);
    }
}

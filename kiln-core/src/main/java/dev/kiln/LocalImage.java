package dev.kiln;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.Manifest;
import dev.kiln.store.LayerRef;
import java.util.ArrayList;
import java.util.List;

/** An image in the store, read: its manifest and config bytes as stored, parsed, and its names. */
record LocalImage(Digest manifestDigest, String mediaType, byte[] manifestBytes, Manifest manifest,
                  byte[] configBytes, ImageConfig config, List<String> names) {

    /** The image id buildah and podman show: the config digest's hex. */
    String id() {
        return manifest.config().digest().hex();
    }

    long size() {
        long n = 0;
        for (Descriptor l : manifest.layers()) n += l.size();
        return n;
    }

    /** Each layer's blob paired with its diffID from the config. */
    List<LayerRef> layers() {
        List<Digest> diffIds = config.rootfs().diffIds();
        List<Descriptor> blobs = manifest.layers();
        if (diffIds.size() != blobs.size()) {
            throw new InvalidInputException("image " + manifestDigest + " is inconsistent: its config lists "
                    + diffIds.size() + " layers, its manifest " + blobs.size());
        }
        List<LayerRef> out = new ArrayList<>();
        for (int i = 0; i < blobs.size(); i++) out.add(new LayerRef(diffIds.get(i), blobs.get(i).digest()));
        return out;
    }

    ImageInfo info() {
        return new ImageInfo(id(), names, manifestDigest, mediaType, size(), config.created());
    }
}

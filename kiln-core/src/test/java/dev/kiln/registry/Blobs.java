package dev.kiln.registry;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/** Seeded random blobs and images for registry tests. */
final class Blobs {
    private Blobs() {}

    record Blob(byte[] bytes, Descriptor descriptor) {
        Supplier<InputStream> content() {
            return () -> new ByteArrayInputStream(bytes);
        }
    }

    record Image(Blob config, List<Blob> layers, byte[] manifest) {
        Digest digest() {
            return Digest.sha256(manifest);
        }
    }

    static Blob random(long seed, int size, String mediaType) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return new Blob(b, Descriptor.of(mediaType, Digest.sha256(b), size));
    }

    static Image image(long seed, String arch) {
        byte[] cfg = ("{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"seed\":"
                + seed + "}").getBytes(StandardCharsets.UTF_8);
        Blob config = new Blob(cfg, Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256(cfg), cfg.length));
        List<Blob> layers = List.of(random(seed * 31 + 1, 100_000, MediaType.OCI_LAYER_GZIP),
                random(seed * 31 + 2, 3_000, MediaType.OCI_LAYER_GZIP));
        Manifest m = Manifest.of(config.descriptor(), layers.stream().map(Blob::descriptor).toList());
        return new Image(config, layers, m.toJson());
    }

    static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    static void push(RegistryClient c, String repo, String tag, Image img) {
        c.pushBlob(repo, img.config().descriptor(), img.config().content());
        for (Blob l : img.layers()) c.pushBlob(repo, l.descriptor(), l.content());
        c.putManifest(repo, tag, img.manifest(), MediaType.OCI_MANIFEST);
    }
}

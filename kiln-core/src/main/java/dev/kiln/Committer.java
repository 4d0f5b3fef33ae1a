package dev.kiln;

import dev.kiln.layer.Compression;
import dev.kiln.layer.DigestingOutputStream;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.History;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.RootFs;
import dev.kiln.store.BlobSink;
import dev.kiln.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code commit}: one pass from the container's changes to a layer blob (tar → diffID hash →
 * optional compressor → blob hash → tmp file → rename), then config, then manifest, then the
 * name, published last so a crash leaves at worst unreferenced blobs.
 */
final class Committer {
    private final Store store;
    private final List<Digest> published = new ArrayList<>();

    Committer(Store store) {
        this.store = store;
    }

    /**
     * Every blob this committer published so far (layer, config, manifest), so a caller whose later
     * step fails can discard them ({@link Store#discard}) and leave the store as it was.
     */
    List<Digest> published() {
        return List.copyOf(published);
    }

    /** What a commit writes before naming: the manifest descriptor, the image id, the new layer (null: none). */
    record Written(Descriptor manifest, String imageId, NewLayer layer) {}

    /** A layer blob just stored: its diffID (uncompressed digest), blob digest, size, media type. */
    record NewLayer(Digest diffId, Descriptor blob) {}

    @FunctionalInterface
    interface TarSource {
        void writeTo(OutputStream out) throws IOException;
    }

    Written commit(ContainerSnapshot ctr, CommitOptions opts, TarSource layerTar) {
        return commit(ctr, opts, layerTar, List.of());
    }

    /**
     * Commits the container: {@code emptySteps} become {@code empty_layer} history entries (a
     * build's metadata instructions since the last layer), then the layer from {@code layerTar}
     * with its own entry; a null {@code layerTar} commits the config alone (the base's layers,
     * every step an empty_layer entry).
     */
    Written commit(ContainerSnapshot ctr, CommitOptions opts, TarSource layerTar, List<String> emptySteps) {
        return commit(ctr, opts, layerTar, emptySteps, List.of());
    }

    /** As above, with {@code emptyAfter}: empty_layer entries after the layer's own (metadata after a WORKDIR). */
    Written commit(ContainerSnapshot ctr, CommitOptions opts, TarSource layerTar, List<String> emptySteps,
            List<String> emptyAfter) {
        boolean docker = isDocker(opts.format());
        Compression compression = opts.compression() == null ? Compression.NONE : Compression.parse(opts.compression());
        Instant created = opts.timestamp() != null ? Instant.ofEpochSecond(opts.timestamp()) : Instant.now();
        NewLayer layer = layerTar == null ? null : writeLayer(layerTar, compression, docker);
        if (layer != null) published.add(layer.blob().digest());
        ImageConfig config = newConfig(ctr, opts, layer == null ? null : layer.diffId(), created, docker, emptySteps);
        for (String step : emptyAfter) config = config.withHistory(new History(created.toString(), step, config.author(), null, true));
        List<Descriptor> layers = new ArrayList<>(opts.squash() ? List.of() : ctr.baseLayers());
        if (layer != null) layers.add(layer.blob());
        byte[] configBytes = config.toJson();
        Digest configDigest = store.blobs().put(configBytes);
        published.add(configDigest);
        Manifest manifest = Manifest.of(Descriptor.of(MediaType.OCI_CONFIG, configDigest, configBytes.length), layers);
        manifest = docker ? manifest.toDocker() : manifest.toOci();
        if (!ctr.annotations().isEmpty() && !docker) manifest = manifest.withAnnotations(ctr.annotations());
        byte[] manifestBytes = manifest.toJson();
        Digest manifestDigest = store.blobs().put(manifestBytes);
        published.add(manifestDigest);
        String mt = docker ? MediaType.DOCKER_MANIFEST : MediaType.OCI_MANIFEST;
        return new Written(Descriptor.of(mt, manifestDigest, manifestBytes.length), configDigest.hex(), layer);
    }

    static boolean isDocker(String format) {
        if (format == null || format.equals("oci")) return false;
        if (format.equals("docker") || format.equals("v2s2")) return true;
        throw new InvalidInputException("unknown image format '" + format + "' (use oci or docker)");
    }

    private ImageConfig newConfig(ContainerSnapshot ctr, CommitOptions opts, Digest diffId, Instant created, boolean docker,
            List<String> emptySteps) {
        ImageConfig c = ctr.config();
        if (!docker) c = c.withConfig(c.config().withoutDockerOnlyFields());
        if (opts.squash()) {
            c = new ImageConfig(c.created(), c.author(), c.architecture(), c.os(), c.osVersion(), c.variant(), c.config(),
                    new RootFs(RootFs.LAYERS, List.of()), List.of(), c.extra());
        }
        for (String step : emptySteps) c = c.withHistory(new History(created.toString(), step, c.author(), null, true));
        if (diffId != null) {
            String createdBy = opts.createdBy() != null ? opts.createdBy() : ctr.createdBy();
            c = c.withAddedLayer(diffId, new History(created.toString(), createdBy, c.author(), null, false));
        }
        return c.withCreated(created);
    }

    NewLayer writeLayer(TarSource tar, Compression compression, boolean docker) {
        try (BlobSink sink = store.blobs().newSink()) {
            Digest diffId;
            Digest blob;
            if (compression == Compression.NONE) {
                // The blob is the tar itself: the sink's own hash is the diffID; hashing twice halves throughput.
                tar.writeTo(sink);
                blob = sink.commit(null, -1);
                diffId = blob;
            } else {
                // Closing diff finishes the compressor; KeepOpen keeps the sink open for commit.
                DigestingOutputStream diff = new DigestingOutputStream(compression.compressing(new KeepOpen(sink)));
                try {
                    tar.writeTo(diff);
                } finally {
                    diff.close();
                }
                blob = sink.commit(null, -1);
                diffId = diff.digest();
            }
            long size = sink.size();
            if (compression != Compression.NONE) store.blobs().recordCompressed(diffId, compression.name().toLowerCase(), blob);
            String mt = switch (compression) {
                case NONE -> MediaType.OCI_LAYER;
                case GZIP -> MediaType.OCI_LAYER_GZIP;
                case ZSTD -> MediaType.OCI_LAYER_ZSTD;
                default -> throw new IllegalStateException("no layer media type for " + compression);
            };
            return new NewLayer(diffId, Descriptor.of(mt, blob, size));
        } catch (IOException e) {
            throw new KilnException("writing the layer into the store " + store.root() + ": " + e.getMessage(), e);
        }
    }

    /** What commit needs of a container: its edited config, base layers (as in the base manifest), annotations. */
    record ContainerSnapshot(ImageConfig config, List<Descriptor> baseLayers, Map<String, String> annotations, String createdBy) {}
}

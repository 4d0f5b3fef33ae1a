package dev.kiln;

import dev.kiln.layer.Compression;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.store.LayerRef;
import dev.kiln.store.Store;
import dev.kiln.transport.DockerArchive;
import dev.kiln.transport.ImageData;
import dev.kiln.transport.ImageLocation;
import dev.kiln.transport.OciArchive;
import dev.kiln.transport.OciLayout;
import dev.kiln.oci.Reference;
import dev.kiln.registry.RegistryClient;
import dev.kiln.registry.Tuning;
import dev.kiln.transport.BlobOrigins;
import dev.kiln.transport.RegistryAccess;
import dev.kiln.transport.RegistryTransport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;

/** {@code push} and {@code pull} between the store and the places in {@link ImageLocation}. */
final class Transfers {
    private final Store store;
    private final LocalImages images;
    private final Tuning tuning;

    Transfers(Kiln kiln) {
        this.store = kiln.store();
        this.images = kiln.localImages();
        this.tuning = kiln.registryTuning();
    }

    /** Writes {@code image} to {@code destination} (a location, or a reference naming a registry); returns the manifest digest. */
    Digest push(LocalImage image, String destination, PushOptions options) {
        ImageLocation loc = ImageLocation.parse(destination);
        String format = options.format() == null ? null : options.format();
        boolean toDocker = format == null ? image.manifest().isDocker() : Committer.isDocker(format);
        boolean ociLayout = loc instanceof ImageLocation.OciDir || loc instanceof ImageLocation.OciArchive;
        if (ociLayout && toDocker) {
            if (format != null) {
                throw new InvalidInputException("oci: and oci-archive: hold OCI manifests only (as skopeo and buildah read them); "
                        + "--format v2s2 is for docker:// and docker-archive: destinations");
            }
            toDocker = false; // a Docker-format image is written to an OCI layout as OCI, as containers/image does
        }
        Digest digest = loc instanceof ImageLocation.Docker r && r.reference().digest() == null
                ? pushToRegistry(image, r.reference(), toDocker, options)
                : write(image, loc, toDocker, options);
        if (options.digestFile() != null) writeDigestFile(options.digestFile(), digest);
        return digest;
    }

    private Digest pushToRegistry(LocalImage image, Reference dest, boolean toDocker, PushOptions options) {
        try (RegistryClient client = RegistryTransport.client(dest.registry(), access(options), tuning)) {
            return new RegistryPush(store, compressionFor(options)).push(image, dest, toDocker, client, origins(image));
        }
    }

    /** Writes to {@code loc} an image whose layers are all compressed first (and a registry push by digest, which needs the manifest first). */
    private Digest write(LocalImage image, ImageLocation loc, boolean toDocker, PushOptions options) {
        ImageData data = switch (loc) {
            case ImageLocation.DockerArchive d -> OutgoingLayers.stored(store, image, image.manifest(), image.manifestBytes(), image.mediaType());
            default -> prepare(image, toDocker, compressionFor(options));
        };
        return switch (loc) {
            case ImageLocation.OciDir d -> write(() -> OciLayout.write(data, d.dir(), d.tag()), data);
            case ImageLocation.OciArchive a -> write(() -> OciArchive.write(data, a.file(), a.tag()), data);
            case ImageLocation.DockerArchive d -> write(() -> DockerArchive.write(data, d.file(),
                    d.name() != null ? d.name() : image.names().isEmpty() ? null : image.names().getFirst(), store.tmpDir()), data);
            case ImageLocation.Docker r -> RegistryTransport.write(data, r.reference(), access(options),
                    origins(image), tuning);
        };
    }

    private static Digest write(Runnable writer, ImageData data) {
        writer.run();
        return data.manifestDigest();
    }

    private static void writeDigestFile(Path file, Digest digest) {
        try {
            Files.writeString(file, digest.toString());
        } catch (IOException e) {
            throw new KilnException("writing the digest file " + file + ": " + e.getMessage(), e);
        }
    }

    static RegistryAccess access(PushOptions o) {
        return new RegistryAccess(o.tlsVerify(), o.certDir(), o.creds(), o.authFile(), null);
    }

    static RegistryAccess access(PullOptions o) {
        return new RegistryAccess(o.tlsVerify(), o.certDir(), o.creds(), o.authFile(), o.platform());
    }

    /** Where the store saw each blob, plus the repositories the image is named after (it may have been pulled from them). */
    private BlobOrigins origins(LocalImage image) {
        List<String> named = new ArrayList<>();
        for (String n : image.names()) {
            Reference ref = Reference.parse(n);
            if (ref.hasRegistry()) named.add(ref.name());
        }
        return new BlobOrigins() {
            @Override
            public List<String> of(Digest blob) {
                List<String> all = new ArrayList<>(named);
                all.addAll(store.blobs().origins(blob));
                return all;
            }

            @Override
            public void record(Digest blob, String hostAndRepo) {
                store.blobs().recordOrigin(blob, hostAndRepo);
            }
        };
    }

    private static Compression compressionFor(PushOptions options) {
        return options.compression() == null ? Compression.GZIP : Compression.parse(options.compression());
    }

    /** The image as it leaves the machine: layers compressed (once per format, remembered), media types converted. */
    private ImageData prepare(LocalImage image, boolean toDocker, Compression compression) {
        OutgoingLayers outgoing = new OutgoingLayers(store, compression);
        List<Digest> diffIds = image.config().rootfs().diffIds();
        List<Descriptor> layers = new ArrayList<>();
        for (int i = 0; i < image.manifest().layers().size(); i++) {
            layers.add(outgoing.outgoing(image.manifest().layers().get(i), diffIds.get(i)));
        }
        return OutgoingLayers.image(store, image, layers, toDocker);
    }

    /** Reads the image at {@code source}, stores every blob (verified), and names it last. */
    LocalImage pull(String source, PullOptions options) {
        ImageLocation loc = ImageLocation.parse(source);
        return switch (loc) {
            case ImageLocation.Docker r -> pullFromRegistry(r.reference(), options);
            case ImageLocation.OciDir d -> ingest(OciLayout.read(d.dir(), d.tag(), null));
            case ImageLocation.OciArchive a -> {
                try (OciArchive.Opened o = OciArchive.read(a.file(), a.tag(), null, store.tmpDir())) {
                    yield ingest(o.image());
                }
            }
            case ImageLocation.DockerArchive d -> {
                try (OciArchive.Opened o = DockerArchive.read(d.file(), d.name(), store.tmpDir())) {
                    yield ingest(o.image());
                }
            }
        };
    }

    private LocalImage pullFromRegistry(Reference ref, PullOptions options) {
        try (RegistryClient client = RegistryTransport.client(ref.registry(), access(options), tuning)) {
            ImageData image = RegistryTransport.read(ref, client, access(options),
                    d -> store.blobs().adopt(d) ? store.blobs().read(d) : null);
            LocalImage pulled = ingest(image);
            for (Descriptor layer : image.manifest().layers()) store.blobs().recordOrigin(layer.digest(), ref.name());
            return pulled;
        }
    }

    private LocalImage ingest(ImageData image) {
        String mediaType = manifestMediaType(image);
        requireImageMediaTypes(image.manifest());
        ImageConfig config = ImageConfig.parse(image.configBytes());
        if (config.rootfs().diffIds().size() != image.manifest().layers().size()) {
            throw new InvalidInputException("the image's config lists " + config.rootfs().diffIds().size()
                    + " layers but its manifest " + image.manifest().layers().size());
        }
        if (!Digest.sha256(image.configBytes()).equals(image.manifest().config().digest())) {
            throw new InvalidInputException("the image's config does not match the digest its manifest names ("
                    + image.manifest().config().digest() + ")");
        }
        List<Digest> added = Collections.synchronizedList(new ArrayList<>());
        long[] needed = {0};
        Digest manifest;
        try {
            Map<Digest, Descriptor> missing = new LinkedHashMap<>();
            for (Descriptor layer : image.manifest().layers()) {
                // adopt: held before looked for, so a concurrent gc cannot delete a layer this pull skips
                if (!store.blobs().adopt(layer.digest())) missing.putIfAbsent(layer.digest(), layer);
            }
            needed[0] = missingBytes(missing.values(), image);
            StoreSpace.requireRoom(store, pulling(image), needed[0]);
            fetchAndUnpack(image, config, missing, added, needed[0]);
            if (!store.blobs().adopt(image.manifest().config().digest())) added.add(store.blobs().put(image.configBytes()));
            manifest = store.blobs().put(image.manifestBytes());
            added.add(manifest);
            String name = nameOf(image.refName());
            if (name != null) {
                store.images().tag(name, mediaType, manifest, image.manifestBytes().length);
            } else {
                store.images().addUnnamed(mediaType, manifest, image.manifestBytes().length);
            }
        } catch (RuntimeException e) {
            // Leave the store as it was: drop what this pull added that nothing else uses.
            store.discard(added);
            throw StoreSpace.explain(e, store, pulling(image), () -> needed[0]);
        }
        return images.withNames(manifest, mediaType);
    }

    /**
     * Stores the {@code missing} layer blobs, several at once, and (overlay) unpacks each layer's
     * snapshot as soon as its blob is in, so that {@code from} finds them ready (issue 7: one pass
     * over the layers at pull time, not a second, serial one at {@code from}). The unpack verifies
     * the diffID, so a pull now refuses a layer that does not match its config. With little room
     * on the store's filesystem the unpacking waits until every blob is in, and a snapshot that does
     * not fit is left for {@code from} to make: the blobs are what a pull must store. Everything
     * published goes into {@code added}.
     */
    private void fetchAndUnpack(ImageData image, ImageConfig config, Map<Digest, Descriptor> missing, List<Digest> added,
            long needed) {
        List<LayerRef> refs = new ArrayList<>();
        for (int i = 0; i < image.manifest().layers().size(); i++) {
            refs.add(new LayerRef(config.rootfs().diffIds().get(i), image.manifest().layers().get(i).digest()));
        }
        boolean unpack = store.snapshots().layersStandAlone();
        boolean overlap = unpack && StoreSpace.free(store) >= 4 * needed + (64L << 20);
        Map<Digest, Descriptor> layers = new LinkedHashMap<>();
        for (Descriptor layer : image.manifest().layers()) layers.putIfAbsent(layer.digest(), layer);
        RegistryTransport.inParallel(layers.values(), layer -> {
            if (missing.containsKey(layer.digest())) {
                try (InputStream in = image.blobs().open(layer)) {
                    added.add(store.blobs().ingest(in, layer.digest(), layer.size()));
                }
            }
            if (overlap) unpackLayer(refs, layer.digest(), added);
        });
        if (unpack && !overlap) RegistryTransport.inParallel(layers.values(), layer -> unpackLayer(refs, layer.digest(), added));
    }

    /** Builds the missing snapshots of every position of blob {@code blob} in {@code refs}; one that does not fit is skipped. */
    private void unpackLayer(List<LayerRef> refs, Digest blob, List<Digest> added) {
        for (int i = 0; i < refs.size(); i++) {
            if (!refs.get(i).blob().equals(blob)) continue;
            try {
                Digest built = store.snapshots().ensureTop(refs.subList(0, i + 1));
                if (built != null) added.add(built);
            } catch (RuntimeException e) {
                if (!StoreSpace.isNoSpace(e)) throw e;
            }
        }
    }

    /**
     * The config must be an image config and every layer a layer (image-spec manifest.md): what is
     * stored must pass fsck, which checks the same.
     */
    /**
     * The media type the store records for the manifest: its own mediaType field if it has one,
     * else what it was served or listed as; either way an image manifest's (fsck checks the same).
     */
    private static String manifestMediaType(ImageData image) {
        String own = image.manifest().mediaType();
        String mt = own != null ? own : image.manifestMediaType();
        if (mt != null && !MediaType.isManifest(mt)) {
            throw new InvalidInputException("the image's manifest " + (own != null ? "says its media type is " : "was served as ") + mt
                    + ", not an image manifest");
        }
        return mt;
    }

    private static void requireImageMediaTypes(Manifest m) {
        String ct = m.config().mediaType();
        if (!MediaType.OCI_CONFIG.equals(ct) && !MediaType.DOCKER_CONFIG.equals(ct)) {
            throw new InvalidInputException("the manifest's config has media type " + ct + ", not an image config: kiln pulls images");
        }
        for (int i = 0; i < m.layers().size(); i++) {
            String lt = m.layers().get(i).mediaType();
            if (!MediaType.isLayer(lt)) {
                throw new InvalidInputException("layer " + (i + 1) + " of the manifest has media type " + lt + ", not a layer");
            }
        }
    }

    private static String pulling(ImageData image) {
        return image.refName() != null && !image.refName().isEmpty() ? "pulling " + image.refName() : "pulling the image";
    }

    /** What the pull writes: the layers the store lacks, the config and the manifest. */
    private static long missingBytes(java.util.Collection<Descriptor> missingLayers, ImageData image) {
        long n = image.configBytes().length + image.manifestBytes().length;
        for (Descriptor l : missingLayers) n += Math.max(0, l.size());
        return n;
    }

    private static String nameOf(String refName) {
        if (refName == null || refName.isEmpty()) return null;
        try {
            return LocalImages.normalize(refName);
        } catch (InvalidInputException e) {
            return null;
        }
    }
}

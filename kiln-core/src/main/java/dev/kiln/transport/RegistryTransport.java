package dev.kiln.transport;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Index;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Platform;
import dev.kiln.oci.Reference;
import dev.kiln.registry.CredentialStore;
import dev.kiln.registry.Credentials;
import dev.kiln.registry.ManifestResponse;
import dev.kiln.registry.RegistryClient;
import dev.kiln.registry.RegistryOptions;
import dev.kiln.registry.Tuning;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * {@code docker://}: reads an image from a registry into {@link ImageData} and writes one to a
 * registry, through {@link RegistryClient}.
 *
 * <p>Reading negotiates OCI and Docker schema 2 manifests and indexes; from an index it takes the
 * manifest for the asked platform (the host's by default). The blobs are not fetched here: the
 * image's {@link ImageData.BlobReader} opens each one as a verifying, resuming stream.
 *
 * <p>Writing pushes the layers and the config in parallel on virtual threads (at most
 * {@value #PARALLEL} at once), each one skipped when the repository has it (HEAD), mounted when
 * {@link BlobOrigins} knows another repository of the same registry that holds it, uploaded
 * otherwise; the manifest goes last.
 */
public final class RegistryTransport {
    static final int PARALLEL = 6;
    private static final int MAX_CONFIG = dev.kiln.oci.Limits.CONFIG;

    private RegistryTransport() {}

    /** The client options {@code access} means for one registry, with the credentials found for it. */
    public static RegistryOptions options(String registry, RegistryAccess access) {
        Credentials explicit = access.creds() == null ? null : Credentials.parse(access.creds());
        Credentials creds = CredentialStore.of(explicit, access.authFile()).find(registry).orElse(null);
        return new RegistryOptions(access.tlsVerify(), access.certDir(), creds, access.certDir() != null ? Boolean.FALSE : null);
    }

    public static RegistryClient client(String registry, RegistryAccess access, Tuning tuning) {
        return RegistryClient.create(registry, options(registry, access), tuning);
    }

    /** Reads the manifest and config of {@code ref} (with Docker's defaults filled in). */
    public static ImageData read(Reference ref, RegistryAccess access, Tuning tuning) {
        return read(ref, access, tuning, d -> null);
    }

    /**
     * As {@link #read(Reference, RegistryAccess, Tuning)}; {@code local} gives the bytes of a
     * (verified) blob the caller already has, or null, so a known config is not fetched again.
     */
    public static ImageData read(Reference ref, RegistryAccess access, Tuning tuning, Function<Digest, byte[]> local) {
        return read(ref, client(ref.registry(), access, tuning), access, local);
    }

    /** As above through {@code client} (of {@code ref}'s registry), which the image's blobs are read with. */
    public static ImageData read(Reference ref, RegistryClient client, RegistryAccess access, Function<Digest, byte[]> local) {
        String repo = ref.repository();
        ManifestResponse resp = client.getManifest(repo, ref.digest() != null ? ref.digest().toString() : ref.tag(), null);
        if (MediaType.isIndex(resp.mediaType())) {
            Platform want = access.platform() == null ? null : Platform.parse(access.platform());
            Descriptor chosen = OciLayout.pickPlatform(Index.parse(resp.bytes()), want, ref);
            resp = client.getManifest(repo, chosen.digest().toString(), null);
        }
        if (!MediaType.isManifest(resp.mediaType())) {
            throw new InvalidInputException(ref + " is a " + resp.mediaType() + ", not an image manifest kiln can pull");
        }
        byte[] bytes = resp.bytes();
        Manifest manifest = Manifest.parse(bytes);
        byte[] known = local.apply(manifest.config().digest());
        byte[] config = known != null ? known : readConfig(client, repo, manifest.config());
        return new ImageData(bytes, manifest, resp.mediaType(), config, ref.toString(), blob -> client.openBlob(repo, blob));
    }

    private static byte[] readConfig(RegistryClient client, String repo, Descriptor config) {
        if (config.size() > MAX_CONFIG) {
            throw new InvalidInputException("the image config " + config.digest() + " is " + config.size()
                    + " bytes; refusing configs over " + (MAX_CONFIG >> 20) + " MiB");
        }
        try (InputStream in = client.openBlob(repo, config)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new KilnException("reading the image config " + config.digest() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Pushes {@code image} to {@code dest} (which has a registry and a tag or a digest) and
     * returns the manifest digest. Blobs pushed or mounted are recorded in {@code origins}.
     */
    public static Digest write(ImageData image, Reference dest, RegistryAccess access, BlobOrigins origins, Tuning tuning) {
        try (RegistryClient client = client(dest.registry(), access, tuning)) {
            return write(image, dest, client, origins);
        }
    }

    /**
     * As above through {@code client} (of {@code dest}'s registry). Blobs the caller has already
     * pushed cost one HEAD each here.
     */
    public static Digest write(ImageData image, Reference dest, RegistryClient client, BlobOrigins origins) {
        String repo = dest.repository();
        if (dest.digest() != null && !dest.digest().equals(image.manifestDigest())) {
            throw new InvalidInputException("cannot push to " + dest + ": the image's manifest digest is " + image.manifestDigest());
        }
        Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
        for (Descriptor layer : image.manifest().layers()) blobs.putIfAbsent(layer.digest(), layer);
        blobs.putIfAbsent(image.manifest().config().digest(), image.manifest().config());
        inParallel(blobs.values(), d -> pushBlob(client, repo, d, image, origins));
        return client.putManifest(repo, dest.tag(), image.manifestBytes(), image.manifestMediaType());
    }

    private static void pushBlob(RegistryClient client, String repo, Descriptor blob, ImageData image, BlobOrigins origins) {
        pushBlob(client, repo, blob, b -> open(image, b), origins);
    }

    /**
     * Makes {@code repo} hold {@code blob}: nothing if it has it (HEAD), a cross-repository mount
     * if {@code origins} knows a repository of the same registry holding it, else an upload of
     * what {@code content} opens; then records the repository in {@code origins}.
     */
    public static void pushBlob(RegistryClient client, String repo, Descriptor blob, ImageData.BlobReader content,
            BlobOrigins origins) {
        String here = client.registry() + "/" + repo;
        if (!client.hasBlob(repo, blob.digest()) && !mounted(client, repo, blob.digest(), origins)) {
            client.uploadBlob(repo, blob, () -> {
                try {
                    return content.open(blob);
                } catch (IOException e) {
                    throw new UncheckedIOException("opening blob " + blob.digest() + ": " + e.getMessage(), e);
                }
            });
        }
        origins.record(blob.digest(), here);
    }

    /** Tries a cross-repository mount from each known repository of the same registry. */
    private static boolean mounted(RegistryClient client, String repo, Digest blob, BlobOrigins origins) {
        String prefix = client.registry() + "/";
        for (String origin : origins.of(blob).reversed()) {
            if (!origin.startsWith(prefix) || origin.equals(prefix + repo)) continue;
            try {
                if (client.mountBlob(repo, blob, origin.substring(prefix.length()))) return true;
            } catch (KilnException e) {
                // not allowed to read the other repository, or it is gone: upload instead
            }
        }
        return false;
    }

    private static InputStream open(ImageData image, Descriptor blob) throws IOException {
        if (blob.digest().equals(image.manifest().config().digest())) return new ByteArrayInputStream(image.configBytes());
        return image.blobs().open(blob);
    }

    /** A step run once per blob. */
    @FunctionalInterface
    public interface BlobTask {
        void run(Descriptor blob) throws IOException;
    }

    /**
     * Runs {@code task} for every blob on virtual threads, at most {@value #PARALLEL} at once, and
     * waits for all of them. The first failure is rethrown after the others have stopped or finished.
     */
    public static void inParallel(Iterable<Descriptor> blobs, BlobTask task) {
        Semaphore slots = new Semaphore(PARALLEL);
        List<Future<?>> futures = new ArrayList<>();
        Throwable failure = null;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Descriptor blob : blobs) {
                futures.add(pool.submit(() -> {
                    slots.acquire();
                    try {
                        task.run(blob);
                    } finally {
                        slots.release();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    failure = e.getCause();
                    pool.shutdownNow();
                    break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = e;
                    pool.shutdownNow();
                    break;
                }
            }
        }
        if (failure == null) return;
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error err) throw err;
        throw new KilnException(failure.getMessage(), failure);
    }
}

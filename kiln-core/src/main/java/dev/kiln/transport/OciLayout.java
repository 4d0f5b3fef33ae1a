package dev.kiln.transport;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Index;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Limits;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.NotFoundException;
import dev.kiln.oci.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An OCI image layout directory (image-spec image-layout.md): {@code oci-layout}, {@code index.json}
 * and {@code blobs/ALG/HEX}. Images are found by their {@code org.opencontainers.image.ref.name}.
 */
public final class OciLayout {
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    static final byte[] LAYOUT_FILE = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

    private OciLayout() {}

    /** Reads the image named {@code tag} (or the only image when tag is null) from a layout directory. */
    public static ImageData read(Path dir, String tag, Platform platform) {
        if (!Files.isRegularFile(dir.resolve("index.json"))) {
            throw new NotFoundException("no OCI image layout at " + dir + " (no index.json)");
        }
        Index index = Index.parse(readLimited(dir.resolve("index.json"), "index.json of " + dir, Limits.CONFIG));
        Descriptor d = choose(index, tag, dir);
        byte[] bytes = readBlob(dir, d);
        if (MediaType.isIndex(d.mediaType())) {
            d = pickPlatform(Index.parse(bytes), platform, dir);
            bytes = readBlob(dir, d);
        }
        Manifest manifest = Manifest.parse(bytes);
        byte[] config = readBlob(dir, manifest.config());
        String mt = manifest.mediaType() != null ? manifest.mediaType() : d.mediaType();
        return new ImageData(bytes, manifest, mt, config, tag, blob -> Files.newInputStream(blobPath(dir, blob.digest())));
    }

    private static Descriptor choose(Index index, String tag, Path dir) {
        List<Descriptor> candidates = new ArrayList<>();
        for (Descriptor m : index.manifests()) {
            if (tag == null || tag.equals(m.annotation(REF_NAME).orElse(null))) candidates.add(m);
        }
        if (candidates.size() == 1) return candidates.getFirst();
        if (candidates.isEmpty()) {
            throw new NotFoundException("no image " + (tag == null ? "" : "named '" + tag + "' ") + "in the OCI layout "
                    + dir + " (names there: " + names(index) + ")");
        }
        throw new InvalidInputException("the OCI layout " + dir + " holds " + candidates.size()
                + " images; name one as oci:" + dir + ":NAME (names there: " + names(index) + ")");
    }

    private static String names(Index index) {
        List<String> names = new ArrayList<>();
        for (Descriptor m : index.manifests()) names.add(m.annotation(REF_NAME).orElse("<unnamed " + m.digest() + ">"));
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    static Descriptor pickPlatform(Index index, Platform want, Object where) {
        Platform p = want != null ? want : Platform.host();
        for (Descriptor m : index.manifests()) {
            Platform mp = m.platform();
            if (mp != null && p.os().equals(mp.os()) && p.architecture().equals(mp.architecture())
                    && (p.variant() == null || p.variant().equals(mp.variant()))) {
                return m;
            }
        }
        throw new NotFoundException("no image for platform " + p + " in the index at " + where);
    }

    static Path blobPath(Path dir, Digest d) {
        return dir.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
    }

    /**
     * Reads a small blob (manifest, config, index) and checks its digest and size; refuses one
     * whose descriptor or file is over its {@link Limits} before reading it.
     */
    private static byte[] readBlob(Path dir, Descriptor d) {
        int limit = MediaType.isIndex(d.mediaType()) || MediaType.isManifest(d.mediaType()) ? Limits.MANIFEST : Limits.CONFIG;
        String what = d.mediaType() + " " + d.digest();
        if (d.size() > limit) {
            throw new InvalidInputException(what + " in " + dir + " is " + d.size() + " bytes, its descriptor says; refusing more than "
                    + Limits.describe(limit));
        }
        byte[] bytes = readLimited(blobPath(dir, d.digest()), what, limit);
        if (!Digest.sha256(bytes).equals(d.digest()) || bytes.length != d.size()) {
            throw new InvalidInputException("blob " + d.digest() + " in " + dir + " does not match its digest or size ("
                    + bytes.length + " bytes, descriptor says " + d.size() + ")");
        }
        return bytes;
    }

    static byte[] readLimited(Path file, String what, int limit) {
        try {
            if (Files.size(file) > limit) {
                throw new InvalidInputException(what + " is " + Files.size(file) + " bytes, more than the "
                        + Limits.describe(limit) + " kiln reads; refusing it");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NotFoundException(what + " is missing: " + file);
        } catch (IOException e) {
            throw new KilnException("reading " + what + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code image} into a layout directory (created if missing), naming it {@code tag}
     * (replacing another image of that name). Existing blobs are not written again; each blob is
     * written to a temporary name and renamed; index.json is replaced last.
     */
    public static void write(ImageData image, Path dir, String tag) {
        try {
            Files.createDirectories(dir.resolve("blobs/sha256"));
            if (!Files.exists(dir.resolve("oci-layout"))) writeAtomically(dir.resolve("oci-layout"), LAYOUT_FILE);
            for (Descriptor layer : image.manifest().layers()) {
                copyBlob(image, layer, dir);
            }
            writeBlobBytes(dir, image.manifest().config().digest(), image.configBytes());
            writeBlobBytes(dir, image.manifestDigest(), image.manifestBytes());
            Index index = Files.exists(dir.resolve("index.json"))
                    ? Index.parse(readLimited(dir.resolve("index.json"), "index.json of " + dir, Limits.CONFIG))
                    : Index.of(List.of());
            writeAtomically(dir.resolve("index.json"), withEntry(index, image.manifestDescriptor(), tag).toJson());
        } catch (IOException e) {
            throw new KilnException("writing the image to the OCI layout " + dir + ": " + e.getMessage(), e);
        }
    }

    static Index withEntry(Index index, Descriptor manifest, String tag) {
        List<Descriptor> entries = new ArrayList<>();
        for (Descriptor m : index.manifests()) {
            boolean sameName = tag != null && tag.equals(m.annotation(REF_NAME).orElse(null));
            boolean sameUnnamed = tag == null && m.annotation(REF_NAME).isEmpty() && m.digest().equals(manifest.digest());
            if (!sameName && !sameUnnamed) entries.add(m);
        }
        entries.add(tag == null ? manifest : manifest.withAnnotations(Map.of(REF_NAME, tag)));
        return index.withManifests(entries);
    }

    private static void copyBlob(ImageData image, Descriptor blob, Path dir) throws IOException {
        Path target = blobPath(dir, blob.digest());
        if (Files.exists(target) && Files.size(target) == blob.size()) return;
        Path tmp = Files.createTempFile(target.getParent(), ".tmp-", "");
        try (InputStream in = image.blobs().open(blob)) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeBlobBytes(Path dir, Digest digest, byte[] bytes) throws IOException {
        Path target = blobPath(dir, digest);
        if (!Files.exists(target)) writeAtomically(target, bytes);
    }

    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), ".tmp-", "");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}

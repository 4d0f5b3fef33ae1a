package dev.kiln.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layer.Compression;
import dev.kiln.layer.Decompressor;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.NotFoundException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The tarball {@code docker save} writes and {@code docker load} reads: {@code manifest.json}
 * listing each image's config file, RepoTags and uncompressed layer files.
 */
public final class DockerArchive {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DockerArchive() {}

    /** Writes {@code image} as a new archive at {@code file}, tagged {@code repoTag} (may be null). */
    public static void write(ImageData image, Path file, String repoTag, Path tmpDir) {
        List<Digest> diffIds = ImageConfig.parse(image.configBytes()).rootfs().diffIds();
        List<Descriptor> layers = image.manifest().layers();
        if (diffIds.size() != layers.size()) {
            throw new InvalidInputException("image config lists " + diffIds.size() + " layers but its manifest "
                    + layers.size() + "; cannot write a docker archive of it");
        }
        String configName = image.manifest().config().digest().hex() + ".json";
        ArchiveFiles.writeAtomically(file, tar -> {
            ArchiveFiles.addBytes(tar, "manifest.json", manifestJson(configName, repoTag, diffIds));
            ArchiveFiles.addBytes(tar, configName, image.configBytes());
            java.util.Set<Digest> written = new java.util.HashSet<>();
            for (int i = 0; i < layers.size(); i++) {
                if (written.add(diffIds.get(i))) writeLayer(tar, image, layers.get(i), diffIds.get(i), tmpDir);
            }
        });
    }

    private static byte[] manifestJson(String configName, String repoTag, List<Digest> diffIds) throws IOException {
        ArrayNode root = JSON.createArrayNode();
        ObjectNode entry = root.addObject();
        entry.put("Config", configName);
        ArrayNode tags = entry.putArray("RepoTags");
        if (repoTag != null) tags.add(repoTag);
        ArrayNode layerNames = entry.putArray("Layers");
        for (Digest d : diffIds) layerNames.add(d.hex() + ".tar");
        return JSON.writeValueAsBytes(root);
    }

    private static void writeLayer(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar, ImageData image,
                                   Descriptor layer, Digest diffId, Path tmpDir) throws IOException {
        String name = diffId.hex() + ".tar";
        if (layer.digest().equals(diffId)) {
            try (InputStream in = image.blobs().open(layer)) {
                ArchiveFiles.addFile(tar, name, layer.size(), in);
            }
            return;
        }
        // docker load wants uncompressed layers, and a tar header needs the size first: spool it.
        Path spool = Files.createTempFile(tmpDir, "layer-", ".tar");
        try {
            try (InputStream in = Decompressor.decompressing(new BufferedInputStream(image.blobs().open(layer), 1 << 16))) {
                Files.copy(in, spool, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            try (InputStream in = Files.newInputStream(spool)) {
                ArchiveFiles.addFile(tar, name, Files.size(spool), in);
            }
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    /** Unpacks the archive and reads the image tagged {@code repoTag} (or the only one) as a Docker schema 2 image. */
    public static OciArchive.Opened read(Path file, String repoTag, Path tmpParent) {
        ArchiveFiles.Unpacked unpacked = ArchiveFiles.unpack(file, tmpParent);
        try {
            return new OciArchive.Opened(readUnpacked(unpacked.dir(), repoTag, file), unpacked);
        } catch (RuntimeException e) {
            unpacked.close();
            throw ArchiveFiles.naming(e, unpacked.dir(), file);
        }
    }

    private static ImageData readUnpacked(Path dir, String repoTag, Path file) {
        JsonNode root = parse(OciLayout.readLimited(dir.resolve("manifest.json"), "manifest.json of " + file, dev.kiln.oci.Limits.CONFIG), file);
        JsonNode entry = chooseEntry(root, repoTag, file);
        byte[] config = OciLayout.readLimited(inside(dir, entry.path("Config").asText(), file), "config of " + file, dev.kiln.oci.Limits.CONFIG);
        Descriptor configDesc = Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256(config), config.length);
        List<Descriptor> layers = new ArrayList<>();
        List<Path> layerFiles = new ArrayList<>();
        for (JsonNode l : entry.path("Layers")) {
            Path p = inside(dir, l.asText(), file);
            layerFiles.add(p);
            layers.add(describeLayer(p, file));
        }
        Manifest manifest = Manifest.of(configDesc, layers).toDocker();
        byte[] bytes = manifest.toJson();
        String tag = repoTag;
        if (tag == null && entry.path("RepoTags").size() == 1) tag = entry.path("RepoTags").get(0).asText();
        return new ImageData(bytes, manifest, MediaType.DOCKER_MANIFEST, config, tag, blob -> {
            int i = layers.stream().map(Descriptor::digest).toList().indexOf(blob.digest());
            if (i < 0) throw new NotFoundException("blob " + blob.digest() + " is not in " + file);
            return Files.newInputStream(layerFiles.get(i));
        });
    }

    private static JsonNode parse(byte[] bytes, Path file) {
        try {
            return JSON.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException("manifest.json in " + file + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidInputException("reading manifest.json in " + file + ": " + e.getMessage());
        }
    }

    private static JsonNode chooseEntry(JsonNode root, String repoTag, Path file) {
        if (!root.isArray() || root.isEmpty()) {
            throw new InvalidInputException("manifest.json in " + file + " lists no image; is it a docker-archive?");
        }
        if (repoTag == null) {
            if (root.size() == 1) return root.get(0);
            throw new InvalidInputException(file + " holds " + root.size() + " images; name one as docker-archive:" + file + ":NAME:TAG");
        }
        for (JsonNode e : root) {
            for (JsonNode t : e.path("RepoTags")) if (t.asText().equals(repoTag)) return e;
        }
        throw new NotFoundException("no image tagged '" + repoTag + "' in " + file);
    }

    private static Path inside(Path dir, String unsafeName, Path file) {
        Path p;
        try {
            p = dir.resolve(unsafeName).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new InvalidInputException("manifest.json in " + file + " names a file no path can hold (" + e.getReason() + ")");
        }
        if (unsafeName.isEmpty() || !p.startsWith(dir) || !Files.isRegularFile(p)) {
            throw new InvalidInputException("manifest.json in " + file + " names '" + unsafeName + "', which is not a file in the archive");
        }
        return p;
    }

    private static Descriptor describeLayer(Path p, Path file) {
        MessageDigest sha = Digest.newSha256();
        Compression compression;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16)) {
            compression = Decompressor.detect(in);
            in.transferTo(new OutputStream() {
                @Override
                public void write(int b) {
                    sha.update((byte) b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    sha.update(b, off, len);
                }
            });
            String mt = switch (compression) {
                case NONE -> MediaType.OCI_LAYER;
                case GZIP -> MediaType.OCI_LAYER_GZIP;
                case ZSTD -> MediaType.OCI_LAYER_ZSTD;
                default -> throw new InvalidInputException("layer " + p.getFileName() + " in " + file
                        + " is " + compression + "-compressed; image layers are plain, gzip or zstd");
            };
            return Descriptor.of(mt, Digest.ofSha256(sha.digest()), Files.size(p));
        } catch (IOException e) {
            throw new KilnException("reading layer " + p.getFileName() + " of " + file + ": " + e.getMessage(), e);
        }
    }
}

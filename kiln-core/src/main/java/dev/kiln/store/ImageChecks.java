package dev.kiln.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.Index;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * fsck of index.json and every image it lists: the manifest (or index, recursively), its config
 * and its layers are present, of the size their descriptor says, of an image media type; the
 * manifest and config are read (which verifies their digests) and parsed; the config lists as
 * many diffIDs as the manifest has layers. Layers' digests are checked by {@link BlobChecks}
 * under {@code --full}; a corrupt one found there makes every image using it damaged here.
 */
final class ImageChecks {
    private static final int MAX_INDEX_DEPTH = 4;
    private static final Set<String> CONFIG_TYPES = Set.of(MediaType.OCI_CONFIG, MediaType.DOCKER_CONFIG);

    private final Store store;
    private final Set<Digest> corruptBlobs;
    private final Findings out;

    ImageChecks(Store store, Set<Digest> corruptBlobs, Findings out) {
        this.store = store;
        this.corruptBlobs = corruptBlobs;
        this.out = out;
    }

    /** Checks index.json and each entry; returns how many entries there were. */
    int run() {
        ObjectNode index = readIndex();
        if (index == null) return 0;
        int position = 0;
        for (JsonNode e : index.get("manifests")) entry(e, ++position);
        return position;
    }

    private ObjectNode readIndex() {
        Path file = store.root().resolve("index.json");
        try {
            ObjectNode index = Json.readObject(file);
            if (index.get("manifests") != null && index.get("manifests").isArray()) return index;
            out.damaged("index.json", "has no \"manifests\" array", new StoreFix.RebuildIndex());
        } catch (NoSuchFileException e) {
            out.damaged("index.json", "is missing", new StoreFix.RebuildIndex());
        } catch (IOException | KilnException e) {
            out.damaged("index.json", "cannot be read: " + e.getMessage(), new StoreFix.RebuildIndex());
        }
        return null;
    }

    private void entry(JsonNode e, int position) {
        String digest = e instanceof ObjectNode o ? Json.text(o, "digest") : null;
        if (digest == null || !Digest.isDigest(digest)) {
            out.damaged("index.json", "entry " + position + " has no well-formed digest: " + abbreviate(e),
                    new StoreFix.DropMalformedEntries());
            return;
        }
        ObjectNode o = (ObjectNode) e;
        String name = Images.name(o);
        Digest d = Digest.parse(digest);
        List<String> problems = new ArrayList<>();
        manifestOrIndex(d, Json.text(o, "mediaType"), o.path("size").asLong(-1), problems, 0);
        String subject = name != null ? "image " + name : "unnamed image " + d;
        for (String p : problems) out.damaged(subject, p, new StoreFix.RemoveEntry(name, d));
    }

    private void manifestOrIndex(Digest d, String mediaType, long size, List<String> problems, int depth) {
        String missing = blobProblem("manifest", d, size);
        if (missing != null) {
            problems.add(missing);
            return;
        }
        try {
            byte[] bytes = store.blobs().read(d);
            ObjectNode doc = Json.parseObject(bytes, "manifest " + d);
            String own = Json.text(doc, "mediaType");
            if (mediaType != null && own != null && !mediaType.equals(own)) {
                problems.add("manifest " + d + " is a " + own + " but its descriptor says " + mediaType);
            }
            String type = own != null ? own : mediaType;
            if (MediaType.isIndex(type) || type == null && doc.has("manifests")) {
                index(d, bytes, problems, depth);
            } else if (type == null || MediaType.isManifest(type)) {
                manifest(d, Manifest.parse(bytes), problems);
            } else {
                problems.add("manifest " + d + " has media type " + type + ", not an image manifest or index");
            }
        } catch (KilnException e) {
            problems.add("manifest " + d + " cannot be read: " + e.getMessage());
        }
    }

    private void index(Digest d, byte[] bytes, List<String> problems, int depth) {
        if (depth >= MAX_INDEX_DEPTH) {
            problems.add("index " + d + " nests indexes deeper than " + MAX_INDEX_DEPTH);
            return;
        }
        for (Descriptor m : Index.parse(bytes).manifests()) manifestOrIndex(m.digest(), m.mediaType(), m.size(), problems, depth + 1);
    }

    private void manifest(Digest d, Manifest m, List<String> problems) {
        Descriptor config = m.config();
        String configProblem = blobProblem("config", config.digest(), config.size());
        if (configProblem == null && !CONFIG_TYPES.contains(config.mediaType())) {
            configProblem = "config " + config.digest() + " has media type " + config.mediaType() + ", not an image config";
        }
        if (configProblem != null) problems.add(configProblem);
        else config(config.digest(), m.layers().size(), problems);
        for (int i = 0; i < m.layers().size(); i++) {
            Descriptor l = m.layers().get(i);
            String role = "layer " + (i + 1) + " of " + m.layers().size();
            String why = blobProblem(role, l.digest(), l.size());
            if (why == null && !MediaType.isLayer(l.mediaType())) why = role + " " + l.digest() + " has media type " + l.mediaType() + ", not a layer";
            if (why != null) problems.add(why);
        }
    }

    private void config(Digest d, int layers, List<String> problems) {
        try {
            int diffIds = ImageConfig.parse(store.blobs().read(d)).rootfs().diffIds().size();
            if (diffIds != layers) problems.add("config " + d + " lists " + diffIds + " layers, the manifest " + layers);
        } catch (KilnException e) {
            problems.add("config " + d + " cannot be read: " + e.getMessage());
        }
    }

    /** Why the blob {@code d} cannot be what a descriptor of {@code size} bytes names, or null. */
    private String blobProblem(String role, Digest d, long size) {
        if (!store.blobs().has(d)) return role + " " + d + " is missing";
        if (corruptBlobs.contains(d)) return role + " " + d + " is corrupt: its content does not match its digest";
        if (size < 0) return role + " " + d + " has no size in its descriptor";
        long actual = store.blobs().size(d);
        if (actual != size) return role + " " + d + " is " + actual + " bytes, its descriptor says " + size;
        return null;
    }

    private static String abbreviate(JsonNode n) {
        String s = String.valueOf(n);
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}

package dev.kiln.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An image index (image-spec image-index.md) or a Docker manifest list: descriptors of manifests,
 * usually one per platform. Also the shape of an OCI layout's {@code index.json}. Fields kiln does
 * not model (artifactType, subject) are kept in {@code extra}.
 */
public record Index(int schemaVersion, String mediaType, List<Descriptor> manifests, Map<String, String> annotations,
        Map<String, JsonNode> extra) {
    private static final Set<String> KNOWN = Set.of("schemaVersion", "mediaType", "manifests", "annotations");

    public Index {
        if (schemaVersion != 2) {
            throw new InvalidInputException("unsupported index schemaVersion " + schemaVersion + " (kiln reads schema 2)");
        }
        mediaType = Json.emptyToNull(mediaType);
        manifests = Json.copy(manifests);
        annotations = Json.copy(annotations);
        extra = Json.copyExtra(extra);
    }

    /** An OCI index of the given manifests. */
    public static Index of(List<Descriptor> manifests) {
        return new Index(2, MediaType.OCI_INDEX, manifests, Map.of(), Map.of());
    }

    @Override
    public Map<String, JsonNode> extra() {
        return Json.copyExtra(extra);
    }

    public boolean isDocker() {
        return MediaType.DOCKER_MANIFEST_LIST.equals(mediaType);
    }

    public Index withManifests(List<Descriptor> newManifests) {
        return new Index(schemaVersion, mediaType, newManifests, annotations, extra);
    }

    public Index withAnnotations(Map<String, String> newAnnotations) {
        return new Index(schemaVersion, mediaType, manifests, newAnnotations, extra);
    }

    public static Index parse(byte[] unsafeJson) {
        ObjectNode o = Json.readObject(unsafeJson, "image index");
        String where = "index";
        int schemaVersion = Json.reqInt(o, "schemaVersion", where);
        if (schemaVersion != 2) {
            throw new InvalidInputException("invalid index: schemaVersion " + schemaVersion + " is not supported");
        }
        if (Json.field(o, "manifests") == null && !o.has("manifests")) throw Json.missing(where + ".manifests");
        return new Index(schemaVersion, Json.optText(o, "mediaType", where),
                Json.list(o, "manifests", where, Descriptor::fromJson), Json.stringMap(o, "annotations", where),
                Json.extra(o, KNOWN));
    }

    public byte[] toJson() {
        ObjectNode o = Json.newObject();
        o.put("schemaVersion", schemaVersion);
        Json.putText(o, "mediaType", mediaType);
        ArrayNode a = o.putArray("manifests"); // REQUIRED, [] when empty
        manifests.forEach(m -> a.add(m.toJsonNode()));
        Json.putSortedMap(o, "annotations", annotations);
        Json.putExtra(o, extra);
        return Json.bytes(o);
    }
}

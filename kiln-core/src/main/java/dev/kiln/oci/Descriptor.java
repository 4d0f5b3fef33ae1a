package dev.kiln.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A reference to a blob: its media type, digest and size, plus optional annotations, platform
 * (in an index), URLs and artifact type (image-spec descriptor.md). Fields kiln does not model,
 * such as {@code data}, are kept in {@code extra} and written back.
 */
public record Descriptor(String mediaType, Digest digest, long size, Map<String, String> annotations,
        Platform platform, List<String> urls, String artifactType, Map<String, JsonNode> extra) {
    private static final Set<String> KNOWN =
            Set.of("mediaType", "digest", "size", "urls", "annotations", "platform", "artifactType");

    public Descriptor {
        if (mediaType == null || mediaType.isEmpty()) throw new InvalidInputException("descriptor without a media type");
        if (digest == null) throw new InvalidInputException("descriptor without a digest");
        if (size < 0) throw new InvalidInputException("descriptor " + digest + " has a negative size " + size);
        annotations = Json.copy(annotations);
        urls = Json.copy(urls);
        artifactType = Json.emptyToNull(artifactType);
        extra = Json.copyExtra(extra);
    }

    public static Descriptor of(String mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, Map.of(), null, List.of(), null, Map.of());
    }

    /** Deep copies: JsonNode is mutable. */
    @Override
    public Map<String, JsonNode> extra() {
        return Json.copyExtra(extra);
    }

    public Optional<String> annotation(String key) {
        return Optional.ofNullable(annotations.get(key));
    }

    public Descriptor withAnnotation(String key, String value) {
        Map<String, String> a = new LinkedHashMap<>(annotations);
        a.put(key, value);
        return new Descriptor(mediaType, digest, size, a, platform, urls, artifactType, extra);
    }

    public Descriptor withAnnotations(Map<String, String> newAnnotations) {
        return new Descriptor(mediaType, digest, size, newAnnotations, platform, urls, artifactType, extra);
    }

    public Descriptor withMediaType(String newMediaType) {
        return new Descriptor(newMediaType, digest, size, annotations, platform, urls, artifactType, extra);
    }

    public Descriptor withPlatform(Platform newPlatform) {
        return new Descriptor(mediaType, digest, size, annotations, newPlatform, urls, artifactType, extra);
    }

    public static Descriptor parse(byte[] unsafeJson) {
        return fromJson(Json.readObject(unsafeJson, "descriptor"), "descriptor");
    }

    static Descriptor fromJson(JsonNode node, String where) {
        ObjectNode o = Json.object(node, where);
        long size = Json.reqLong(o, "size", where);
        if (size < 0) throw new InvalidInputException("invalid " + where + ".size: negative (" + size + ")");
        JsonNode platform = Json.field(o, "platform");
        return new Descriptor(
                Json.reqText(o, "mediaType", where),
                Json.reqDigest(o, "digest", where),
                size,
                Json.stringMap(o, "annotations", where),
                platform == null ? null : Platform.fromJson(platform, where + ".platform"),
                Json.stringList(o, "urls", where),
                Json.optText(o, "artifactType", where),
                Json.extra(o, KNOWN));
    }

    ObjectNode toJsonNode() {
        ObjectNode o = Json.newObject();
        o.put("mediaType", mediaType);
        o.put("digest", digest.toString());
        o.put("size", size);
        Json.putStrings(o, "urls", urls);
        Json.putSortedMap(o, "annotations", annotations);
        if (platform != null) o.set("platform", platform.toJsonNode());
        Json.putText(o, "artifactType", artifactType);
        Json.putExtra(o, extra);
        return o;
    }

    public byte[] toJson() {
        return Json.bytes(toJsonNode());
    }
}

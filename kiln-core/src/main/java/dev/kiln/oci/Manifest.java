package dev.kiln.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * An image manifest: a config blob and an ordered list of layers (image-spec manifest.md), or the
 * same thing as Docker image manifest v2 schema 2, which differs only in media types.
 * {@link #toDocker()} and {@link #toOci()} convert between the two.
 */
public record Manifest(int schemaVersion, String mediaType, String artifactType, Descriptor config,
        List<Descriptor> layers, Descriptor subject, Map<String, String> annotations, Map<String, JsonNode> extra) {
    private static final Set<String> KNOWN =
            Set.of("schemaVersion", "mediaType", "artifactType", "config", "layers", "subject", "annotations");

    public Manifest {
        if (schemaVersion != 2) {
            throw new InvalidInputException("unsupported manifest schemaVersion " + schemaVersion + " (kiln reads schema 2)");
        }
        if (config == null) throw new InvalidInputException("manifest without a config descriptor");
        mediaType = Json.emptyToNull(mediaType);
        artifactType = Json.emptyToNull(artifactType);
        layers = Json.copy(layers);
        annotations = Json.copy(annotations);
        extra = Json.copyExtra(extra);
    }

    /** An OCI manifest with no annotations, subject or artifact type. */
    public static Manifest of(Descriptor config, List<Descriptor> layers) {
        return new Manifest(2, MediaType.OCI_MANIFEST, null, config, layers, null, Map.of(), Map.of());
    }

    @Override
    public Map<String, JsonNode> extra() {
        return Json.copyExtra(extra);
    }

    public boolean isDocker() {
        return MediaType.DOCKER_MANIFEST.equals(mediaType)
                || (mediaType == null && MediaType.DOCKER_CONFIG.equals(config.mediaType()));
    }

    public Manifest withLayers(List<Descriptor> newLayers) {
        return new Manifest(schemaVersion, mediaType, artifactType, config, newLayers, subject, annotations, extra);
    }

    public Manifest withConfig(Descriptor newConfig) {
        return new Manifest(schemaVersion, mediaType, artifactType, newConfig, layers, subject, annotations, extra);
    }

    public Manifest withAnnotations(Map<String, String> newAnnotations) {
        return new Manifest(schemaVersion, mediaType, artifactType, config, layers, subject, newAnnotations, extra);
    }

    /**
     * The same manifest in Docker schema 2 media types. Schema 2 has no subject or artifactType,
     * so they are dropped; a layer type schema 2 cannot express is an error.
     */
    public Manifest toDocker() {
        return new Manifest(2, MediaType.DOCKER_MANIFEST, null, convert(config, Manifest::dockerType),
                layers.stream().map(l -> convert(l, Manifest::dockerType)).toList(), null, annotations, extra);
    }

    /** The same manifest in OCI media types. */
    public Manifest toOci() {
        return new Manifest(2, MediaType.OCI_MANIFEST, artifactType, convert(config, Manifest::ociType),
                layers.stream().map(l -> convert(l, Manifest::ociType)).toList(), subject, annotations, extra);
    }

    private static Descriptor convert(Descriptor d, UnaryOperator<String> mapping) {
        return d.withMediaType(mapping.apply(d.mediaType()));
    }

    private static String dockerType(String mt) {
        return switch (mt) {
            case MediaType.OCI_CONFIG, MediaType.DOCKER_CONFIG -> MediaType.DOCKER_CONFIG;
            case MediaType.OCI_LAYER, MediaType.DOCKER_LAYER -> MediaType.DOCKER_LAYER;
            case MediaType.OCI_LAYER_GZIP, MediaType.DOCKER_LAYER_GZIP -> MediaType.DOCKER_LAYER_GZIP;
            case MediaType.OCI_LAYER_ZSTD, MediaType.DOCKER_LAYER_ZSTD -> MediaType.DOCKER_LAYER_ZSTD;
            case MediaType.OCI_LAYER_NONDISTRIBUTABLE_GZIP, MediaType.DOCKER_FOREIGN_LAYER -> MediaType.DOCKER_FOREIGN_LAYER;
            default -> throw new InvalidInputException("cannot convert media type '" + mt + "' to Docker schema 2");
        };
    }

    private static String ociType(String mt) {
        return switch (mt) {
            case MediaType.DOCKER_CONFIG -> MediaType.OCI_CONFIG;
            case MediaType.DOCKER_LAYER -> MediaType.OCI_LAYER;
            case MediaType.DOCKER_LAYER_GZIP -> MediaType.OCI_LAYER_GZIP;
            case MediaType.DOCKER_LAYER_ZSTD -> MediaType.OCI_LAYER_ZSTD;
            case MediaType.DOCKER_FOREIGN_LAYER -> MediaType.OCI_LAYER_NONDISTRIBUTABLE_GZIP;
            default -> mt; // already OCI, or an artifact type OCI carries as is
        };
    }

    public static Manifest parse(byte[] unsafeJson) {
        ObjectNode o = Json.readObject(unsafeJson, "image manifest");
        String where = "manifest";
        int schemaVersion = Json.reqInt(o, "schemaVersion", where);
        if (schemaVersion != 2) {
            throw new InvalidInputException("invalid manifest: schemaVersion " + schemaVersion
                    + " is not supported (kiln reads schema 2 manifests)");
        }
        JsonNode config = Json.field(o, "config");
        if (config == null) throw Json.missing(where + ".config");
        // Go writes a nil layer slice as null, so null and absent read as "no layers".
        List<Descriptor> layers = Json.list(o, "layers", where, Descriptor::fromJson);
        JsonNode subject = Json.field(o, "subject");
        return new Manifest(schemaVersion, Json.optText(o, "mediaType", where), Json.optText(o, "artifactType", where),
                Descriptor.fromJson(config, where + ".config"), layers,
                subject == null ? null : Descriptor.fromJson(subject, where + ".subject"),
                Json.stringMap(o, "annotations", where), Json.extra(o, KNOWN));
    }

    public byte[] toJson() {
        ObjectNode o = Json.newObject();
        o.put("schemaVersion", schemaVersion);
        Json.putText(o, "mediaType", mediaType);
        Json.putText(o, "artifactType", artifactType);
        o.set("config", config.toJsonNode());
        ArrayNode a = o.putArray("layers"); // always written, [] when empty (manifest.md: layers is REQUIRED)
        layers.forEach(l -> a.add(l.toJsonNode()));
        if (subject != null) o.set("subject", subject.toJsonNode());
        Json.putSortedMap(o, "annotations", annotations);
        Json.putExtra(o, extra);
        return Json.bytes(o);
    }
}

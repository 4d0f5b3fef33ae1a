package dev.kiln.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The config's {@code rootfs}: type "layers" and the DiffIDs (digests of the uncompressed layer
 * tars), base layer first (image-spec config.md).
 */
public record RootFs(String type, List<Digest> diffIds) {
    public static final String LAYERS = "layers";

    public RootFs {
        if (type == null || type.isEmpty()) throw new InvalidInputException("rootfs without a type");
        diffIds = Json.copy(diffIds);
    }

    public static RootFs empty() {
        return new RootFs(LAYERS, List.of());
    }

    public RootFs withAddedDiffId(Digest diffId) {
        List<Digest> ids = new ArrayList<>(diffIds);
        ids.add(diffId);
        return new RootFs(type, ids);
    }

    public static RootFs parse(byte[] unsafeJson) {
        return fromJson(Json.readObject(unsafeJson, "rootfs"), "rootfs");
    }

    static RootFs fromJson(JsonNode node, String where) {
        ObjectNode o = Json.object(node, where);
        String type = Json.reqText(o, "type", where);
        if (type.isEmpty()) throw Json.missing(where + ".type");
        return new RootFs(type, Json.list(o, "diff_ids", where, (n, w) -> {
            try {
                return Digest.parse(Json.string(n, w));
            } catch (InvalidInputException e) {
                throw new InvalidInputException("invalid " + w + ": " + e.getMessage(), e);
            }
        }));
    }

    ObjectNode toJsonNode() {
        ObjectNode o = Json.newObject();
        o.put("type", type);
        ArrayNode a = o.putArray("diff_ids"); // REQUIRED, [] for a scratch image
        diffIds.forEach(d -> a.add(d.toString()));
        return o;
    }

    public byte[] toJson() {
        return Json.bytes(toJsonNode());
    }
}

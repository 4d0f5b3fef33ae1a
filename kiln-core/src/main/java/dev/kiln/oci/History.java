package dev.kiln.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One step of an image's history (image-spec config.md, "history"). {@code emptyLayer} marks a
 * step that changed only the config, so it has no entry in {@code rootfs.diff_ids}.
 * {@code created} is an RFC 3339 date-time, kept as written.
 */
public record History(String created, String createdBy, String author, String comment, boolean emptyLayer) {
    public History {
        created = Json.emptyToNull(created);
        createdBy = Json.emptyToNull(createdBy);
        author = Json.emptyToNull(author);
        comment = Json.emptyToNull(comment);
    }

    public static History parse(byte[] unsafeJson) {
        return fromJson(Json.readObject(unsafeJson, "history"), "history");
    }

    static History fromJson(JsonNode node, String where) {
        ObjectNode o = Json.object(node, where);
        return new History(Json.optText(o, "created", where), Json.optText(o, "created_by", where),
                Json.optText(o, "author", where), Json.optText(o, "comment", where),
                Json.optBoolean(o, "empty_layer", where));
    }

    ObjectNode toJsonNode() {
        ObjectNode o = Json.newObject();
        Json.putText(o, "created", created);
        Json.putText(o, "created_by", createdBy);
        Json.putText(o, "author", author);
        Json.putText(o, "comment", comment);
        if (emptyLayer) o.put("empty_layer", true);
        return o;
    }

    public byte[] toJson() {
        return Json.bytes(toJsonNode());
    }
}

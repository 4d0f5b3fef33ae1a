package dev.kiln.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.oci.Digest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A working container as its state.json holds it.
 *
 * @param id            64 hex characters
 * @param imageName     the base image's name ("localhost/busybox:latest"), null for scratch or an unnamed base
 * @param imageManifest the base image's manifest digest ("sha256:…"), null for scratch
 * @param baseLayers    the base image's layers, bottom first
 * @param config        the image config being edited, raw JSON
 * @param created       RFC 3339
 * @param extra         free-form settings the facade keeps (never interpreted here)
 */
public record ContainerState(String id, String name, String imageName, String imageManifest,
                             List<LayerRef> baseLayers, JsonNode config, String created, Map<String, String> extra) {
    public ContainerState {
        baseLayers = List.copyOf(baseLayers);
        extra = Map.copyOf(extra);
    }

    ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("id", id);
        n.put("name", name);
        n.put("imageName", imageName);
        n.put("imageManifest", imageManifest);
        ArrayNode layers = n.putArray("baseLayers");
        for (LayerRef l : baseLayers) layers.addObject().put("diffId", l.diffId().toString()).put("blob", l.blob().toString());
        n.set("config", config);
        n.put("created", created);
        ObjectNode x = n.putObject("extra");
        new java.util.TreeMap<>(extra).forEach(x::put);
        return n;
    }

    static ContainerState fromJson(ObjectNode n) {
        List<LayerRef> layers = new ArrayList<>();
        for (JsonNode l : n.withArray("baseLayers")) {
            layers.add(new LayerRef(Digest.parse(Json.text(l, "diffId")), Digest.parse(Json.text(l, "blob"))));
        }
        Map<String, String> extra = new LinkedHashMap<>();
        n.path("extra").properties().forEach(e -> extra.put(e.getKey(), e.getValue().asText()));
        return new ContainerState(Json.text(n, "id"), Json.text(n, "name"), Json.text(n, "imageName"),
                Json.text(n, "imageManifest"), layers, n.hasNonNull("config") ? n.get("config") : null, Json.text(n, "created"), extra);
    }
}

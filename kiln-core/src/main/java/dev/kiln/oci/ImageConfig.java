package dev.kiln.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An image configuration (image-spec config.md; Docker image spec v1.2): platform, execution
 * parameters, the layers' DiffIDs and the history. Docker-only top-level fields
 * ({@code container_config}, {@code docker_version}, ...) and {@code os.features} are kept in
 * {@code extra}. {@code created} is kept as the RFC 3339 text it was written as.
 */
public record ImageConfig(String created, String author, String architecture, String os, String osVersion,
        String variant, ContainerConfig config, RootFs rootfs, List<History> history, Map<String, JsonNode> extra) {
    private static final Set<String> KNOWN = Set.of("created", "author", "architecture", "os", "os.version",
            "variant", "config", "rootfs", "history");

    public ImageConfig {
        created = Json.emptyToNull(created);
        author = Json.emptyToNull(author);
        if (architecture == null || architecture.isEmpty()) throw new InvalidInputException("image config without an architecture");
        if (os == null || os.isEmpty()) throw new InvalidInputException("image config without an os");
        osVersion = Json.emptyToNull(osVersion);
        variant = Json.emptyToNull(variant);
        if (config == null) config = ContainerConfig.empty();
        if (rootfs == null) throw new InvalidInputException("image config without a rootfs");
        history = Json.copy(history);
        extra = Json.copyExtra(extra);
    }

    /** The config of a scratch image: no layers, no history, no execution parameters. */
    public static ImageConfig empty(Platform platform) {
        return new ImageConfig(null, null, platform.architecture(), platform.os(), platform.osVersion(),
                platform.variant(), ContainerConfig.empty(), RootFs.empty(), List.of(), Map.of());
    }

    @Override
    public Map<String, JsonNode> extra() {
        return Json.copyExtra(extra);
    }

    public Platform platform() {
        JsonNode features = extra.get("os.features");
        List<String> osFeatures = new ArrayList<>();
        if (features != null && features.isArray()) features.forEach(f -> osFeatures.add(f.asText()));
        return new Platform(os, architecture, variant, osVersion, osFeatures);
    }

    public ImageConfig withConfig(ContainerConfig newConfig) {
        return new ImageConfig(created, author, architecture, os, osVersion, variant, newConfig, rootfs, history, extra);
    }

    /** Appends a layer's DiffID and the history entry that made it. */
    public ImageConfig withAddedLayer(Digest diffId, History h) {
        if (h.emptyLayer()) throw new IllegalArgumentException("a history entry for a layer cannot be an empty_layer one");
        return new ImageConfig(created, author, architecture, os, osVersion, variant, config,
                rootfs.withAddedDiffId(diffId), appended(h), extra);
    }

    /** Appends a history entry (usually an {@code empty_layer} one for a config-only change). */
    public ImageConfig withHistory(History h) {
        return new ImageConfig(created, author, architecture, os, osVersion, variant, config, rootfs, appended(h), extra);
    }

    public ImageConfig withCreated(Instant instant) {
        return new ImageConfig(instant == null ? null : instant.toString(), author, architecture, os, osVersion, variant,
                config, rootfs, history, extra);
    }

    public ImageConfig withAuthor(String newAuthor) {
        return new ImageConfig(created, newAuthor, architecture, os, osVersion, variant, config, rootfs, history, extra);
    }

    public ImageConfig withPlatform(Platform p) {
        return new ImageConfig(created, author, p.architecture(), p.os(), p.osVersion(), p.variant(), config, rootfs,
                history, extra);
    }

    private List<History> appended(History h) {
        List<History> out = new ArrayList<>(history);
        out.add(h);
        return out;
    }

    public static ImageConfig parse(byte[] unsafeJson) {
        ObjectNode o = Json.readObject(unsafeJson, "image config");
        String where = "image config";
        String arch = Json.reqText(o, "architecture", where);
        String os = Json.reqText(o, "os", where);
        if (arch.isEmpty()) throw Json.missing(where + ".architecture");
        if (os.isEmpty()) throw Json.missing(where + ".os");
        JsonNode rootfs = Json.field(o, "rootfs");
        if (rootfs == null) throw Json.missing(where + ".rootfs");
        JsonNode config = Json.field(o, "config");
        return new ImageConfig(Json.optText(o, "created", where), Json.optText(o, "author", where), arch, os,
                Json.optText(o, "os.version", where), Json.optText(o, "variant", where),
                config == null ? null : ContainerConfig.fromJson(config, where + ".config"),
                RootFs.fromJson(rootfs, where + ".rootfs"),
                Json.list(o, "history", where, History::fromJson), Json.extra(o, KNOWN));
    }

    public byte[] toJson() {
        ObjectNode o = Json.newObject();
        Json.putText(o, "created", created);
        Json.putText(o, "author", author);
        o.put("architecture", architecture);
        o.put("os", os);
        Json.putText(o, "os.version", osVersion);
        Json.putText(o, "variant", variant);
        o.set("config", config.toJsonNode());
        o.set("rootfs", rootfs.toJsonNode());
        if (!history.isEmpty()) {
            ArrayNode a = o.putArray("history");
            history.forEach(h -> a.add(h.toJsonNode()));
        }
        Json.putExtra(o, extra);
        return Json.bytes(o);
    }
}

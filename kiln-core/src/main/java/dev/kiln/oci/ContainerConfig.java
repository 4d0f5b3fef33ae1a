package dev.kiln.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The execution parameters in an image config's {@code config} (image-spec config.md): what a
 * container of the image runs, as whom, where, with what environment. {@code healthcheck},
 * {@code onBuild} and {@code shell} exist only in Docker configs; {@link #withoutDockerOnlyFields()}
 * drops them for OCI output. Empty collections and null strings mean "not set" and are not written.
 */
public record ContainerConfig(String user, Set<String> exposedPorts, List<String> env, List<String> entrypoint,
        List<String> cmd, Set<String> volumes, String workingDir, Map<String, String> labels, String stopSignal,
        HealthCheck healthcheck, List<String> onBuild, List<String> shell, Map<String, JsonNode> extra) {
    private static final Set<String> KNOWN = Set.of("User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes",
            "WorkingDir", "Labels", "StopSignal", "Healthcheck", "OnBuild", "Shell");
    private static final ContainerConfig EMPTY = new ContainerConfig(null, Set.of(), List.of(), List.of(), List.of(),
            Set.of(), null, Map.of(), null, null, List.of(), List.of(), Map.of());

    public ContainerConfig {
        user = Json.emptyToNull(user);
        exposedPorts = Json.copy(exposedPorts);
        env = Json.copy(env);
        entrypoint = Json.copy(entrypoint);
        cmd = Json.copy(cmd);
        volumes = Json.copy(volumes);
        workingDir = Json.emptyToNull(workingDir);
        labels = Json.copy(labels);
        stopSignal = Json.emptyToNull(stopSignal);
        onBuild = Json.copy(onBuild);
        shell = Json.copy(shell);
        extra = Json.copyExtra(extra);
    }

    /** A config with no fields set, as a scratch image has. */
    public static ContainerConfig empty() {
        return EMPTY;
    }

    @Override
    public Map<String, JsonNode> extra() {
        return Json.copyExtra(extra);
    }

    /** The value of {@code key} in Env (the last one, if the list names it twice). */
    public Optional<String> envValue(String key) {
        String prefix = key + "=";
        String found = null;
        for (String e : env) {
            if (e.startsWith(prefix)) found = e.substring(prefix.length());
            else if (e.equals(key)) found = "";
        }
        return Optional.ofNullable(found);
    }

    /** Sets one variable, replacing an earlier value in place or appending, as ENV does. */
    public ContainerConfig withEnvValue(String key, String value) {
        List<String> out = new ArrayList<>();
        boolean replaced = false;
        for (String e : env) {
            if (e.startsWith(key + "=") || e.equals(key)) {
                if (!replaced) out.add(key + "=" + value);
                replaced = true;
            } else {
                out.add(e);
            }
        }
        if (!replaced) out.add(key + "=" + value);
        return withEnv(out);
    }

    public ContainerConfig withLabel(String key, String value) {
        Map<String, String> out = new LinkedHashMap<>(labels);
        out.put(key, value);
        return withLabels(out);
    }

    /** The same config without Healthcheck, OnBuild and Shell, which OCI configs do not have. */
    public ContainerConfig withoutDockerOnlyFields() {
        return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal,
                null, List.of(), List.of(), extra);
    }

    public ContainerConfig withUser(String v) {
        return new ContainerConfig(v, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal, healthcheck, onBuild, shell, extra);
    }

    public ContainerConfig withExposedPorts(Set<String> v) {
        return new ContainerConfig(user, v, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal, healthcheck, onBuild, shell, extra);
    }

    public ContainerConfig withEnv(List<String> v) {
        return new ContainerConfig(user, exposedPorts, v, entrypoint, cmd, volumes, workingDir, labels, stopSignal, healthcheck, onBuild, shell, extra);
    }

    public ContainerConfig withEntrypoint(List<String> v) {
        return new ContainerConfig(user, exposedPorts, env, v, cmd, volumes, workingDir, labels, stopSignal, healthcheck, onBuild, shell, extra);
    }

    public ContainerConfig withCmd(List<String> v) {
        return new ContainerConfig(user, exposedPorts, env, entrypoint, v, volumes, workingDir, labels, stopSignal, healthcheck, onBuild, shell, extra);
    }

    public ContainerConfig withVolumes(Set<String> v) {
        return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, v, workingDir, labels, stopSignal, healthcheck, onBuild, shell, extra);
    }

    public ContainerConfig withWorkingDir(String v) {
        return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, v, labels, stopSignal, healthcheck, onBuild, shell, extra);
    }

    public ContainerConfig withLabels(Map<String, String> v) {
        return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, v, stopSignal, healthcheck, onBuild, shell, extra);
    }

    public ContainerConfig withStopSignal(String v) {
        return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, v, healthcheck, onBuild, shell, extra);
    }

    public ContainerConfig withHealthcheck(HealthCheck v) {
        return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal, v, onBuild, shell, extra);
    }

    public ContainerConfig withOnBuild(List<String> v) {
        return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal, healthcheck, v, shell, extra);
    }

    public ContainerConfig withShell(List<String> v) {
        return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal, healthcheck, onBuild, v, extra);
    }

    public static ContainerConfig parse(byte[] unsafeJson) {
        return fromJson(Json.readObject(unsafeJson, "container config"), "config");
    }

    static ContainerConfig fromJson(JsonNode node, String where) {
        ObjectNode o = Json.object(node, where);
        JsonNode hc = Json.field(o, "Healthcheck");
        return new ContainerConfig(
                Json.optText(o, "User", where),
                Json.keySet(o, "ExposedPorts", where),
                Json.stringList(o, "Env", where),
                Json.stringList(o, "Entrypoint", where),
                Json.stringList(o, "Cmd", where),
                Json.keySet(o, "Volumes", where),
                Json.optText(o, "WorkingDir", where),
                Json.stringMap(o, "Labels", where),
                Json.optText(o, "StopSignal", where),
                hc == null ? null : HealthCheck.fromJson(hc, where + ".Healthcheck"),
                Json.stringList(o, "OnBuild", where),
                Json.stringList(o, "Shell", where),
                Json.extra(o, KNOWN));
    }

    ObjectNode toJsonNode() {
        ObjectNode o = Json.newObject();
        Json.putText(o, "User", user);
        Json.putKeySet(o, "ExposedPorts", exposedPorts);
        Json.putStrings(o, "Env", env);
        Json.putStrings(o, "Entrypoint", entrypoint);
        Json.putStrings(o, "Cmd", cmd);
        Json.putKeySet(o, "Volumes", volumes);
        Json.putText(o, "WorkingDir", workingDir);
        Json.putSortedMap(o, "Labels", labels);
        Json.putText(o, "StopSignal", stopSignal);
        if (healthcheck != null) o.set("Healthcheck", healthcheck.toJsonNode());
        Json.putStrings(o, "OnBuild", onBuild);
        Json.putStrings(o, "Shell", shell);
        Json.putExtra(o, extra);
        return o;
    }

    public byte[] toJson() {
        return Json.bytes(toJsonNode());
    }
}

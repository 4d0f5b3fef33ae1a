package dev.kiln;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.oci.ContainerConfig;
import dev.kiln.oci.HealthCheck;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Applies {@code kiln config} edits to an image config, with buildah's rules for each flag. */
final class ConfigEditor {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigEditor() {}

    static ImageConfig apply(ImageConfig image, ConfigChange ch) {
        ContainerConfig c = image.config();
        for (String e : nonNull(ch.env())) c = editEnv(c, e);
        if (ch.cmd() != null) c = c.withCmd(ch.cmd().isEmpty() ? null : parseCmd(ch.cmd()));
        if (ch.entrypoint() != null) c = c.withEntrypoint(ch.entrypoint().isEmpty() ? null : parseEntrypoint(ch.entrypoint()));
        if (ch.workingDir() != null) c = c.withWorkingDir(ch.workingDir().isEmpty() ? null : ch.workingDir());
        if (ch.user() != null) c = c.withUser(ch.user().isEmpty() ? null : ch.user());
        if (!nonNull(ch.labels()).isEmpty()) c = c.withLabels(editMap(c.labels(), ch.labels(), "label"));
        if (!nonNull(ch.ports()).isEmpty()) c = c.withExposedPorts(editSet(c.exposedPorts(), ch.ports(), ConfigEditor::port));
        if (!nonNull(ch.volumes()).isEmpty()) c = c.withVolumes(editSet(c.volumes(), ch.volumes(), v -> v));
        if (ch.stopSignal() != null) c = c.withStopSignal(ch.stopSignal().isEmpty() ? null : ch.stopSignal());
        if (ch.shell() != null) c = c.withShell(ch.shell().isEmpty() ? null : parseJsonArray(ch.shell(), "--shell"));
        if (!nonNull(ch.onbuild()).isEmpty()) {
            List<String> triggers = new ArrayList<>(c.onBuild() == null ? List.of() : c.onBuild());
            triggers.addAll(ch.onbuild());
            c = c.withOnBuild(triggers);
        }
        c = editHealthcheck(c, ch);
        ImageConfig out = image.withConfig(c);
        if (ch.author() != null) out = out.withAuthor(ch.author());
        if (ch.os() != null || ch.arch() != null) {
            Platform p = out.platform();
            out = out.withPlatform(Platform.of(ch.os() != null ? ch.os() : p.os(),
                    ch.arch() != null ? ch.arch() : p.architecture(), ch.arch() != null ? null : p.variant()));
        }
        return out;
    }

    /** Manifest annotations: "KEY=VALUE" sets, "KEY-" removes. */
    static Map<String, String> editAnnotations(Map<String, String> current, List<String> edits) {
        return editMap(current, edits, "annotation");
    }

    private static <T> List<T> nonNull(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static ContainerConfig editEnv(ContainerConfig c, String e) {
        int eq = e.indexOf('=');
        if (eq < 0 && e.endsWith("-")) {
            String key = e.substring(0, e.length() - 1);
            List<String> env = new ArrayList<>();
            for (String kv : c.env() == null ? List.<String>of() : c.env()) {
                if (!kv.equals(key) && !kv.startsWith(key + "=")) env.add(kv);
            }
            return c.withEnv(env);
        }
        if (eq <= 0) throw new InvalidInputException("--env '" + e + "' is not KEY=VALUE (or KEY- to remove KEY)");
        return c.withEnvValue(e.substring(0, eq), expandEnv(e.substring(eq + 1), c));
    }

    /** buildah expands $VAR and ${VAR} in --env values from the config's own environment. */
    private static String expandEnv(String value, ContainerConfig c) {
        Matcher m = Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)}|([A-Za-z_][A-Za-z0-9_]*))").matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String key = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(sb, Matcher.quoteReplacement(c.envValue(key).orElse("")));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static Map<String, String> editMap(Map<String, String> current, List<String> edits, String what) {
        Map<String, String> m = new LinkedHashMap<>(current == null ? Map.of() : current);
        for (String e : edits) {
            int eq = e.indexOf('=');
            if (eq < 0 && e.endsWith("-")) {
                m.remove(e.substring(0, e.length() - 1));
            } else if (eq > 0) {
                m.put(e.substring(0, eq), e.substring(eq + 1));
            } else {
                throw new InvalidInputException("--" + what + " '" + e + "' is not KEY=VALUE (or KEY- to remove KEY)");
            }
        }
        return m;
    }

    private static Set<String> editSet(Set<String> current, List<String> edits, java.util.function.UnaryOperator<String> norm) {
        Set<String> s = new LinkedHashSet<>(current == null ? Set.of() : current);
        for (String e : edits) {
            if (e.endsWith("-")) {
                s.remove(norm.apply(e.substring(0, e.length() - 1)));
            } else {
                s.add(norm.apply(e));
            }
        }
        return s;
    }

    private static String port(String p) {
        if (!p.matches("\\d{1,5}(-\\d{1,5})?(/(tcp|udp|sctp))?")) {
            throw new InvalidInputException("--port '" + p + "' is not PORT[/tcp|udp|sctp]");
        }
        return p.contains("/") ? p : p + "/tcp";
    }

    /** JSON array → exec form; anything else → words split as a shell would (buildah's --cmd). */
    static List<String> parseCmd(String s) {
        if (s.strip().startsWith("[")) return parseJsonArray(s, "--cmd");
        return ShellWords.split(s);
    }

    /** JSON array → exec form; a plain string runs under /bin/sh -c (buildah's --entrypoint). */
    static List<String> parseEntrypoint(String s) {
        if (s.strip().startsWith("[")) return parseJsonArray(s, "--entrypoint");
        return List.of("/bin/sh", "-c", s);
    }

    static List<String> parseJsonArray(String s, String flag) {
        try {
            List<String> out = new ArrayList<>();
            var node = JSON.readTree(s);
            if (!node.isArray()) throw new InvalidInputException(flag + " '" + s + "' is not a JSON array of strings");
            for (var n : node) {
                if (!n.isTextual()) throw new InvalidInputException(flag + " '" + s + "' is not a JSON array of strings");
                out.add(n.asText());
            }
            return out;
        } catch (IOException e) {
            throw new InvalidInputException(flag + " '" + s + "' is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static ContainerConfig editHealthcheck(ContainerConfig c, ConfigChange ch) {
        if (ch.healthcheck() == null && ch.healthcheckInterval() == null && ch.healthcheckTimeout() == null
                && ch.healthcheckStartPeriod() == null && ch.healthcheckRetries() == null) {
            return c;
        }
        HealthCheck h = c.healthcheck() != null ? c.healthcheck() : new HealthCheck(List.of(), 0, 0, 0, 0, 0);
        List<String> test = h.test();
        if (ch.healthcheck() != null) test = healthTest(ch.healthcheck());
        if (test.equals(List.of("NONE"))) return c.withHealthcheck(new HealthCheck(test, 0, 0, 0, 0, 0));
        return c.withHealthcheck(new HealthCheck(test,
                ch.healthcheckInterval() != null ? duration(ch.healthcheckInterval()) : h.intervalNanos(),
                ch.healthcheckTimeout() != null ? duration(ch.healthcheckTimeout()) : h.timeoutNanos(),
                ch.healthcheckStartPeriod() != null ? duration(ch.healthcheckStartPeriod()) : h.startPeriodNanos(),
                h.startIntervalNanos(),
                ch.healthcheckRetries() != null ? ch.healthcheckRetries() : h.retries()));
    }

    private static List<String> healthTest(String s) {
        String t = s.strip();
        if (t.isEmpty()) return List.of();
        if (t.startsWith("[")) return parseJsonArray(t, "--healthcheck");
        if (t.equals("NONE")) return List.of("NONE");
        if (t.startsWith("CMD-SHELL ")) return List.of("CMD-SHELL", t.substring(10));
        if (t.startsWith("CMD ")) {
            List<String> out = new ArrayList<>(List.of("CMD"));
            out.addAll(ShellWords.split(t.substring(4)));
            return out;
        }
        return List.of("CMD-SHELL", t);
    }

    /** Go's time.ParseDuration ("30s", "1m30s", "500ms"), as the Dockerfile parser reads HEALTHCHECK times. */
    static long duration(String s) {
        java.time.Duration d = dev.kiln.dockerfile.GoDuration.parse(s);
        if (d == null) throw new InvalidInputException("'" + s + "' is not a duration (write e.g. 30s, 1m30s, 500ms)");
        return d.toNanos();
    }
}

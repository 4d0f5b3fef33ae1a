package dev.kiln.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.testing.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reference half of the differential build suite: {@code buildah build} (runc, --layers,
 * host network, Docker format) in a private vfs store that is reused for every case, so the base
 * images are loaded once. Results are read back with {@code buildah from} + {@code buildah mount}
 * (tree) and {@code buildah inspect --type image} (config).
 */
public final class BuildahBuilder implements ImageBuilder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path root;
    private final Path runroot;
    private final Path tmp;

    /** A builder with its storage under {@code work/buildah}. */
    public BuildahBuilder(Path work) {
        this.root = work.resolve("buildah/root");
        this.runroot = work.resolve("buildah/run");
        this.tmp = work.resolve("buildah/tmp");
    }

    /**
     * buildah with the private storage options, and TMPDIR inside the work directory: buildah
     * keeps RUN --mount=type=cache directories under $TMPDIR/buildah-cache (else /var/tmp), which
     * would outlive the test and leak between runs.
     */
    public List<String> buildah(String... args) {
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(List.of("env", "TMPDIR=" + tmp, "buildah", "--root", root.toString(), "--runroot",
                runroot.toString(), "--storage-driver", "vfs"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private String run(String... args) throws Exception {
        List<String> cmd = buildah(args);
        return Tools.exec(null, cmd).orFail(String.join(" ", cmd)).stdout();
    }

    /** Loads a base image archive under its fixed name. */
    public void load(BaseImages.Archive base) throws Exception {
        String id = run("pull", "--quiet", base.transport()).strip();
        String[] lines = id.split("\n");
        run("tag", lines[lines.length - 1].strip(), base.name());
    }

    @Override
    public BuildResult build(Path caseDir) throws Exception {
        BuildCase c = BuildCase.load(caseDir);
        String image = "localhost/corpus/" + c.name().toLowerCase(java.util.Locale.ROOT) + ":latest";
        List<String> args = new ArrayList<>(List.of("build", "--runtime", "runc", "--layers", "--network", "host",
                "--format", "docker", "--pull-never", "-f", c.dockerfile().toString(), "-t", image));
        if (c.target() != null) args.addAll(List.of("--target", c.target()));
        for (Map.Entry<String, String> a : c.buildArgs().entrySet()) {
            args.addAll(List.of("--build-arg", a.getValue() == null ? a.getKey() : a.getKey() + "=" + a.getValue()));
        }
        args.add(c.context().toString());
        Tools.Result r = Tools.exec(caseDir, buildah(args.toArray(String[]::new)));
        String log = r.stdout() + r.stderr();
        if (r.exitCode() != 0) return BuildResult.failed("buildah", log);

        Map<String, String> tree;
        String ctr = run("from", "--quiet", "--pull-never", image).strip();
        try {
            Path mnt = Path.of(run("mount", ctr).strip());
            tree = BuildResult.listing(mnt);
        } finally {
            Tools.exec(null, buildah("umount", ctr));
            Tools.exec(null, buildah("rm", ctr));
        }
        JsonNode inspect = JSON.readTree(run("inspect", "--type", "image", image));
        return new BuildResult("buildah", true, log, tree, summary(inspect.path("Docker").path("config")));
    }

    /** The compared config fields as canonical JSON, absent when null or empty. */
    static Map<String, String> summary(JsonNode config) {
        Map<String, String> out = new TreeMap<>();
        for (String f : BuildResult.CONFIG_FIELDS) {
            JsonNode v = config.path(f);
            if (f.equals("Labels") && v.isObject()) {
                ObjectNode copy = ((ObjectNode) v).deepCopy();
                copy.remove(BuildResult.IGNORED_LABELS);
                v = sorted(copy);
            } else if (v.isObject()) {
                v = sorted(v);
            }
            if (v.isMissingNode() || v.isNull() || (v.isContainerNode() && v.isEmpty()) || (v.isTextual() && v.asText().isEmpty())) {
                continue;
            }
            out.put(f, v.toString());
        }
        return out;
    }

    private static JsonNode sorted(JsonNode obj) {
        ObjectNode out = JSON.createObjectNode();
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) names.add(it.next());
        names.sort(null);
        for (String n : names) out.set(n, obj.get(n).isObject() ? sorted(obj.get(n)) : obj.get(n));
        return out;
    }
}

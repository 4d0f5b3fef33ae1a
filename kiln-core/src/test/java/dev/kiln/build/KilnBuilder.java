package dev.kiln.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.BuildRequest;
import dev.kiln.Kiln;
import dev.kiln.WorkingContainer;
import dev.kiln.oci.KilnException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * kiln's half of the differential build suite: {@link Kiln#build} through the library facade, in
 * one private store reused for every case (the base images are loaded once), Docker format, RUN
 * with runc on the host network, never pulling, as {@link BuildahBuilder} does. Results are read back the same
 * way: a working container of the built image, mounted, listed with {@link BuildResult#listing},
 * and the image config's {@code config} summarised with {@link BuildahBuilder#summary}.
 */
public final class KilnBuilder implements ImageBuilder, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Kiln kiln;

    /** A builder with its store under {@code work/kiln}. */
    public KilnBuilder(Path work) {
        this.kiln = Kiln.open(work.resolve("kiln"));
    }

    /** Loads a base image archive under its fixed name. */
    public void load(BaseImages.Archive base) {
        var info = kiln.pull(base.transport());
        kiln.tag(info.id(), base.name());
    }

    @Override
    public BuildResult build(Path caseDir) throws Exception {
        BuildCase c = BuildCase.load(caseDir);
        String image = "localhost/corpus/" + c.name().toLowerCase(Locale.ROOT) + ":latest";
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        BuildRequest req = BuildRequest.builder(c.context()).dockerfile(c.dockerfile()).tag(image).buildArgs(buildArgs(c))
                .target(c.target()).format("docker").network("host").runtime("runc").pull("never")
                .progress(new PrintStream(log, true, StandardCharsets.UTF_8)).build();
        try {
            kiln.build(req);
        } catch (KilnException e) {
            return BuildResult.failed("kiln", log.toString(StandardCharsets.UTF_8) + "Error: " + e.getMessage());
        }
        WorkingContainer ctr = kiln.from(image, null);
        Map<String, String> tree;
        try {
            tree = BuildResult.listing(ctr.mount());
        } finally {
            try {
                ctr.unmount();
            } finally {
                kiln.removeContainer(ctr.id());
            }
        }
        JsonNode config = JSON.readTree(kiln.inspectImage(image)).path("Config").path("config");
        return new BuildResult("kiln", true, log.toString(StandardCharsets.UTF_8), tree, BuildahBuilder.summary(config));
    }

    /** {@code K} alone takes the value from the environment, as {@code buildah --build-arg K} does (unset: not passed). */
    private static Map<String, String> buildArgs(BuildCase c) {
        Map<String, String> out = new LinkedHashMap<>();
        c.buildArgs().forEach((k, v) -> {
            String value = v != null ? v : System.getenv(k);
            if (value != null) out.put(k, value);
        });
        return out;
    }

    @Override
    public void close() {
        kiln.close();
    }
}

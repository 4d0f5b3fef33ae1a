package dev.kiln.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.oci.Digest;
import dev.kiln.oci.MediaType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test images made with the real tools: layers with GNU tar, config and manifest by hand. */
final class Fixtures {
    private Fixtures() {}

    /** A tar of the contents of {@code staging}, made by GNU tar, stored uncompressed. */
    static LayerRef layer(Store store, Path staging) throws IOException, InterruptedException {
        Path tar = Files.createTempFile(store.tmpDir().getParent().getParent(), "layer", ".tar");
        try {
            run("tar", "--numeric-owner", "--xattrs", "--xattrs-include=*", "-C", staging.toString(), "-cf", tar.toString(), ".");
            byte[] bytes = Files.readAllBytes(tar);
            Digest d = store.blobs().put(bytes);
            return new LayerRef(d, d);
        } finally {
            Files.deleteIfExists(tar);
        }
    }

    /** An image of {@code layers} (config + manifest blobs), tagged {@code name} if non-null; returns the manifest digest. */
    static Digest image(Store store, String name, List<LayerRef> layers) {
        ObjectNode cfg = Json.object().put("architecture", "amd64").put("os", "linux");
        cfg.putObject("config").putArray("Cmd").add("/bin/sh");
        ObjectNode rootfs = cfg.putObject("rootfs").put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        layers.forEach(l -> ids.add(l.diffId().toString()));
        byte[] cfgBytes = Json.bytes(cfg);
        Digest cfgDigest = store.blobs().put(cfgBytes);
        ObjectNode m = Json.object().put("schemaVersion", 2).put("mediaType", MediaType.OCI_MANIFEST);
        m.putObject("config").put("mediaType", MediaType.OCI_CONFIG).put("digest", cfgDigest.toString()).put("size", cfgBytes.length);
        ArrayNode ls = m.putArray("layers");
        for (LayerRef l : layers) {
            ls.addObject().put("mediaType", MediaType.OCI_LAYER).put("digest", l.blob().toString())
                    .put("size", store.blobs().size(l.blob()));
        }
        byte[] mBytes = Json.bytes(m);
        Digest md = store.blobs().put(mBytes);
        if (name != null) store.images().tag(name, MediaType.OCI_MANIFEST, md, mBytes.length);
        return md;
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    static boolean hasTool(String tool) {
        return Files.isExecutable(Path.of("/usr/bin", tool));
    }

    /** Runs a command; fails with its output if it exits non-zero. Returns stdout+stderr. */
    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " timed out");
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + out);
        return out;
    }

    static List<String> mountPoints() throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) out.add(line.split(" ")[4]);
        return out;
    }
}

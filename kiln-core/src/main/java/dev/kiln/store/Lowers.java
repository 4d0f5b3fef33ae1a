package dev.kiln.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's lowers.json: its snapshot fs directories, top first, stored relative to the
 * container directory so the store root may move and a container may be renamed within it.
 */
final class Lowers {
    private Lowers() {}

    static final String FILE = "lowers.json";

    /** Writes lowers.json into {@code containerDir}, paths relative to {@code publishedAt}, where it will live. */
    static void write(Path containerDir, Path publishedAt, List<Path> lowersTopFirst) throws IOException {
        ObjectNode n = Json.object();
        ArrayNode arr = n.putArray("lowers");
        Path base = publishedAt.toAbsolutePath();
        for (Path p : lowersTopFirst) arr.add(base.relativize(p.toAbsolutePath()).toString());
        Json.writeAtomically(containerDir.resolve(FILE), n);
    }

    static List<Path> read(Path containerDir) throws IOException {
        List<Path> out = new ArrayList<>();
        for (JsonNode p : Json.readObject(containerDir.resolve(FILE)).withArray("lowers")) {
            out.add(containerDir.toAbsolutePath().resolve(p.asText()).normalize());
        }
        return out;
    }
}

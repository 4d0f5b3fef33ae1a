package dev.kiln.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.oci.InvalidInputException;

import java.io.IOException;
import java.nio.file.Path;

/** The store's own JSON files (index.json, store.json, state.json, meta.json), read as trees. */
final class Json {
    private Json() {}

    static final ObjectMapper MAPPER = JsonMapper.builder().build();

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("serialising JSON", e);
        }
    }

    /** Parses {@code bytes} as a JSON object; {@code what} names it in the error. */
    static ObjectNode parseObject(byte[] bytes, String what) {
        try {
            JsonNode n = MAPPER.readTree(bytes);
            if (n instanceof ObjectNode o) return o;
            throw new InvalidInputException(what + " is not a JSON object");
        } catch (IOException e) {
            throw new InvalidInputException(what + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    static ObjectNode readObject(Path file) throws IOException {
        return parseObject(java.nio.file.Files.readAllBytes(file), file.toString());
    }

    static void writeAtomically(Path file, JsonNode node) throws IOException {
        Fs.writeAtomically(file, bytes(node));
    }

    /** Text of a field, or null if absent or JSON null. */
    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}

package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.kiln.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutations of what kiln reads from outside. JSON documents get either a structural
 * mutation (one node of the parsed tree removed, retyped or given a hostile value: absurd sizes,
 * malformed or wrong digests, unknown media types, huge strings and arrays, deep nesting) or a
 * raw one (truncation, a flipped byte, garbage, a duplicated key). Byte streams (archives, blobs)
 * get truncations, flipped bytes, inserted or deleted runs. Each mutation says what it did, so a
 * failure names the mutation and its seed.
 */
final class Mutator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** A mutated document and how it was made. */
    record Mutation(byte[] bytes, String how) {}

    private final Random random;

    Mutator(long seed) {
        this.random = new Random(seed);
    }

    Random random() {
        return random;
    }

    /** One mutation of a JSON document: structural three times in four, raw otherwise. */
    Mutation json(byte[] doc) {
        if (random.nextInt(4) > 0) {
            try {
                JsonNode tree = JSON.readTree(doc);
                List<Slot> slots = new ArrayList<>();
                collect(tree, "$", slots);
                if (!slots.isEmpty()) return structural(tree, slots.get(random.nextInt(slots.size())));
            } catch (Exception notJson) {
                // fall through to a raw mutation
            }
        }
        return raw(doc);
    }

    /** A place in a tree: the container and the key (object) or index (array) of the value there. */
    private record Slot(JsonNode container, String key, int index, String path) {
        JsonNode value() {
            return key != null ? container.get(key) : container.get(index);
        }
    }

    private static void collect(JsonNode n, String path, List<Slot> into) {
        if (n instanceof ObjectNode o) {
            for (var it = o.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                into.add(new Slot(o, k, -1, path + "." + k));
                collect(o.get(k), path + "." + k, into);
            }
        } else if (n instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                into.add(new Slot(a, null, i, path + "[" + i + "]"));
                collect(a.get(i), path + "[" + i + "]", into);
            }
        }
    }

    private Mutation structural(JsonNode tree, Slot s) {
        JsonNode old = s.value();
        String how;
        if (random.nextInt(6) == 0) {
            remove(s);
            how = "removed " + s.path();
        } else {
            JsonNode replacement = hostileValue(old);
            set(s, replacement);
            String shown = replacement.toString();
            how = "set " + s.path() + " to " + (shown.length() > 60 ? shown.substring(0, 60) + "…(" + shown.length() + " chars)" : shown);
        }
        try {
            return new Mutation(JSON.writeValueAsBytes(tree), how);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void remove(Slot s) {
        if (s.key() != null) ((ObjectNode) s.container()).remove(s.key());
        else ((ArrayNode) s.container()).remove(s.index());
    }

    private static void set(Slot s, JsonNode v) {
        if (s.key() != null) ((ObjectNode) s.container()).set(s.key(), v);
        else ((ArrayNode) s.container()).set(s.index(), v);
    }

    /** A value chosen to hurt: for a digest, a wrong one; for a number, an absurd one; anything else, the wrong type. */
    private JsonNode hostileValue(JsonNode old) {
        if (old != null && old.isTextual() && old.asText().startsWith("sha256:") && random.nextBoolean()) return hostileDigest(old.asText());
        if (old != null && old.isNumber() && random.nextBoolean()) return hostileNumber();
        if (old != null && old.isTextual() && old.asText().startsWith("application/") && random.nextBoolean()) {
            return F.textNode(pick("application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
                    "application/vnd.oci.image.config.v1+json", "application/vnd.docker.distribution.manifest.v1+prettyjws",
                    "application/octet-stream", "text/html", ""));
        }
        return switch (random.nextInt(9)) {
            case 0 -> F.nullNode();
            case 1 -> F.textNode(pick("", "../../../../etc/passwd", "\u0000", "é\uD83D\uDE00", "a".repeat(100_000)));
            case 2 -> hostileNumber();
            case 3 -> F.booleanNode(random.nextBoolean());
            case 4 -> F.arrayNode();
            case 5 -> F.objectNode();
            case 6 -> manyElements();
            case 7 -> deepNesting();
            default -> old instanceof TextNode t ? F.textNode(t.asText() + t.asText()) : F.textNode("x");
        };
    }

    private JsonNode hostileDigest(String valid) {
        String hex = valid.substring(7);
        return F.textNode(switch (random.nextInt(6)) {
            case 0 -> "sha256:" + hex.substring(1);
            case 1 -> "sha256:" + hex.toUpperCase();
            case 2 -> "md5:" + hex.substring(0, 32);
            case 3 -> "sha512:" + hex;
            case 4 -> Digest.sha256(("other " + random.nextLong()).getBytes(StandardCharsets.UTF_8)).toString();
            default -> "sha256:../../" + hex.substring(6);
        });
    }

    private JsonNode hostileNumber() {
        return switch (random.nextInt(7)) {
            case 0 -> F.numberNode(-1);
            case 1 -> F.numberNode(0);
            case 2 -> F.numberNode(Long.MAX_VALUE);
            case 3 -> F.numberNode(Long.MIN_VALUE);
            case 4 -> F.numberNode(new java.math.BigInteger("18446744073709551617"));
            case 5 -> F.numberNode(1e308);
            default -> F.numberNode(3.5);
        };
    }

    private JsonNode manyElements() {
        ArrayNode a = F.arrayNode();
        for (int i = 0; i < 50_000; i++) a.add(F.objectNode().put("digest", "sha256:" + "0".repeat(64)).put("size", i));
        return a;
    }

    private JsonNode deepNesting() {
        JsonNode n = F.textNode("bottom");
        for (int i = 0; i < 5_000; i++) n = F.arrayNode().add(n);
        return n;
    }

    /** A raw mutation of a text document. */
    Mutation raw(byte[] doc) {
        return switch (random.nextInt(6)) {
            case 0 -> {
                int at = random.nextInt(Math.max(1, doc.length));
                yield new Mutation(Arrays.copyOf(doc, at), "truncated to " + at + " bytes");
            }
            case 1 -> flip(doc);
            case 2 -> new Mutation(garbage(), "replaced by garbage");
            case 3 -> {
                String s = new String(doc, StandardCharsets.UTF_8);
                int brace = s.indexOf('{');
                String dup = brace < 0 ? s : s.substring(0, brace + 1) + "\"schemaVersion\":1," + s.substring(brace + 1);
                yield new Mutation(dup.getBytes(StandardCharsets.UTF_8), "a duplicated key");
            }
            case 4 -> new Mutation("[".repeat(100_000).getBytes(StandardCharsets.UTF_8), "100,000 open brackets");
            default -> new Mutation(new byte[0], "empty");
        };
    }

    /** A mutation of a byte stream (an archive, a blob). */
    Mutation bytes(byte[] data) {
        return switch (random.nextInt(5)) {
            case 0 -> {
                int at = random.nextInt(Math.max(1, data.length));
                yield new Mutation(Arrays.copyOf(data, at), "truncated to " + at + " bytes");
            }
            case 1, 2 -> flip(data);
            case 3 -> {
                int at = random.nextInt(Math.max(1, data.length));
                byte[] g = garbage();
                byte[] out = new byte[data.length + g.length];
                System.arraycopy(data, 0, out, 0, at);
                System.arraycopy(g, 0, out, at, g.length);
                System.arraycopy(data, at, out, at + g.length, data.length - at);
                yield new Mutation(out, g.length + " garbage bytes inserted at " + at);
            }
            default -> {
                int at = random.nextInt(Math.max(1, data.length)), len = Math.min(data.length - at, 1 + random.nextInt(1024));
                byte[] out = new byte[data.length - len];
                System.arraycopy(data, 0, out, 0, at);
                System.arraycopy(data, at + len, out, at, data.length - at - len);
                yield new Mutation(out, len + " bytes deleted at " + at);
            }
        };
    }

    private Mutation flip(byte[] data) {
        byte[] out = data.clone();
        int flips = 1 + random.nextInt(4);
        StringBuilder at = new StringBuilder();
        for (int i = 0; i < flips && out.length > 0; i++) {
            int p = random.nextInt(out.length);
            out[p] ^= (byte) (1 << random.nextInt(8));
            at.append(i == 0 ? "" : ",").append(p);
        }
        return new Mutation(out, "bits flipped at " + at);
    }

    private byte[] garbage() {
        byte[] g = new byte[1 + random.nextInt(2048)];
        random.nextBytes(g);
        return g;
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }
}

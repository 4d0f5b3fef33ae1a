package dev.kiln.oci;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * The one JSON mapper of the package and the small vocabulary the records use to read and write
 * themselves with Jackson's tree model. Readers take a {@code where} path ("manifest.layers[1]")
 * so an error names the field that was wrong. Writers follow Go's {@code omitempty}: null and
 * empty values are left out unless the caller writes them explicitly.
 */
final class Json {
    // Duplicate keys are rejected: two readers of the same manifest must never disagree on it.
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {}

    // ---- reading ------------------------------------------------------------------------------

    /** Parses a whole document that must be a JSON object. */
    static ObjectNode readObject(byte[] unsafeJson, String what) {
        if (unsafeJson == null) throw new InvalidInputException("reading " + what + ": no bytes");
        JsonNode node;
        try {
            node = MAPPER.readTree(unsafeJson);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("reading " + what + ": malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidInputException("reading " + what + ": " + e.getMessage(), e);
        }
        if (node == null || node.isMissingNode()) throw new InvalidInputException("reading " + what + ": empty document");
        return object(node, what);
    }

    static ObjectNode object(JsonNode node, String where) {
        if (!(node instanceof ObjectNode o)) throw wrongType(where, "an object", node);
        return o;
    }

    static InvalidInputException wrongType(String where, String expected, JsonNode got) {
        return new InvalidInputException("invalid " + where + ": expected " + expected + ", got " + describe(got));
    }

    static InvalidInputException missing(String where) {
        return new InvalidInputException("invalid " + where + ": required field is missing");
    }

    private static String describe(JsonNode n) {
        if (n == null || n.isNull()) return "null";
        String text = n.toString();
        if (text.length() > 40) text = text.substring(0, 40) + "...";
        return n.getNodeType().name().toLowerCase() + " " + text;
    }

    /** The field's value, or null when it is absent or JSON null. */
    static JsonNode field(ObjectNode o, String key) {
        JsonNode n = o.get(key);
        return n == null || n.isNull() ? null : n;
    }

    static String optText(ObjectNode o, String key, String where) {
        JsonNode n = field(o, key);
        if (n == null) return null;
        if (!n.isTextual()) throw wrongType(where + "." + key, "a string", n);
        return n.textValue();
    }

    static String reqText(ObjectNode o, String key, String where) {
        String s = optText(o, key, where);
        if (s == null) throw missing(where + "." + key);
        return s;
    }

    static Long optLong(ObjectNode o, String key, String where) {
        JsonNode n = field(o, key);
        if (n == null) return null;
        if (!n.isIntegralNumber() || !n.canConvertToLong()) throw wrongType(where + "." + key, "an integer", n);
        return n.longValue();
    }

    static long reqLong(ObjectNode o, String key, String where) {
        Long v = optLong(o, key, where);
        if (v == null) throw missing(where + "." + key);
        return v;
    }

    static int reqInt(ObjectNode o, String key, String where) {
        long v = reqLong(o, key, where);
        if (v != (int) v) throw wrongType(where + "." + key, "a 32-bit integer", o.get(key));
        return (int) v;
    }

    static boolean optBoolean(ObjectNode o, String key, String where) {
        JsonNode n = field(o, key);
        if (n == null) return false;
        if (!n.isBoolean()) throw wrongType(where + "." + key, "a boolean", n);
        return n.booleanValue();
    }

    static Digest reqDigest(ObjectNode o, String key, String where) {
        String text = reqText(o, key, where);
        try {
            return Digest.parse(text);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("invalid " + where + "." + key + ": " + e.getMessage(), e);
        }
    }

    static <T> List<T> list(ObjectNode o, String key, String where, BiFunction<JsonNode, String, T> item) {
        JsonNode n = field(o, key);
        if (n == null) return List.of();
        if (!n.isArray()) throw wrongType(where + "." + key, "an array", n);
        List<T> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) out.add(item.apply(n.get(i), where + "." + key + "[" + i + "]"));
        return out;
    }

    static List<String> stringList(ObjectNode o, String key, String where) {
        return list(o, key, where, Json::string);
    }

    static String string(JsonNode n, String where) {
        if (n == null || !n.isTextual()) throw wrongType(where, "a string", n);
        return n.textValue();
    }

    static Map<String, String> stringMap(ObjectNode o, String key, String where) {
        JsonNode n = field(o, key);
        if (n == null) return Map.of();
        ObjectNode obj = object(n, where + "." + key);
        Map<String, String> out = new LinkedHashMap<>();
        obj.properties().forEach(e -> out.put(e.getKey(), string(e.getValue(), where + "." + key + "." + e.getKey())));
        return out;
    }

    /** A Go {@code map[string]struct{}}, such as ExposedPorts: the keys of an object. */
    static Set<String> keySet(ObjectNode o, String key, String where) {
        JsonNode n = field(o, key);
        if (n == null) return Set.of();
        Set<String> out = new LinkedHashSet<>();
        object(n, where + "." + key).fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Every field not in {@code known}, in document order. */
    static Map<String, JsonNode> extra(ObjectNode o, Set<String> known) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        o.properties().forEach(e -> {
            if (!known.contains(e.getKey())) out.put(e.getKey(), e.getValue());
        });
        return out;
    }

    // ---- immutable copies ---------------------------------------------------------------------

    static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }

    /** Insertion-ordered, unmodifiable; rejects null keys and values. */
    static <V> Map<String, V> copy(Map<String, V> map) {
        if (map == null || map.isEmpty()) return Map.of();
        Map<String, V> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(requireNonNull(k, "key"), requireNonNull(v, "value of " + k)));
        return Collections.unmodifiableMap(out);
    }

    /** Sorted, unmodifiable. */
    static Set<String> copy(Set<String> set) {
        if (set == null || set.isEmpty()) return Set.of();
        Set<String> out = new TreeSet<>();
        for (String s : set) out.add(requireNonNull(s, "element"));
        return Collections.unmodifiableSet(out);
    }

    /** Deep copies, because JsonNode is mutable and the records are values. */
    static Map<String, JsonNode> copyExtra(Map<String, JsonNode> extra) {
        if (extra == null || extra.isEmpty()) return Map.of();
        Map<String, JsonNode> out = new LinkedHashMap<>();
        extra.forEach((k, v) -> out.put(requireNonNull(k, "key"), v == null ? JsonNodeFactory.instance.nullNode() : v.deepCopy()));
        return Collections.unmodifiableMap(out);
    }

    /** Go's omitempty for strings: "" and null are both "not set". */
    static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static <T> T requireNonNull(T t, String what) {
        if (t == null) throw new IllegalArgumentException("null " + what);
        return t;
    }

    // ---- writing ------------------------------------------------------------------------------

    static ObjectNode newObject() {
        return MAPPER.createObjectNode();
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("writing a JSON tree cannot fail", e);
        }
    }

    static void putText(ObjectNode o, String key, String value) {
        if (value != null && !value.isEmpty()) o.put(key, value);
    }

    static void putStrings(ObjectNode o, String key, Collection<String> values) {
        if (values.isEmpty()) return;
        ArrayNode a = o.putArray(key);
        values.forEach(a::add);
    }

    /** Written sorted by key so that equal maps give equal bytes. */
    static void putSortedMap(ObjectNode o, String key, Map<String, String> map) {
        if (map.isEmpty()) return;
        ObjectNode m = o.putObject(key);
        new TreeMap<>(map).forEach(m::put);
    }

    /** A Go {@code map[string]struct{}}: each key with an empty object. */
    static void putKeySet(ObjectNode o, String key, Set<String> keys) {
        if (keys.isEmpty()) return;
        ObjectNode m = o.putObject(key);
        new TreeSet<>(keys).forEach(m::putObject);
    }

    /** Unknown fields go after the known ones; a known field is never overwritten by one. */
    static void putExtra(ObjectNode o, Map<String, JsonNode> extra) {
        extra.forEach((k, v) -> {
            if (!o.has(k)) o.set(k, v.deepCopy());
        });
    }
}

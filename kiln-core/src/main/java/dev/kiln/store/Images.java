package dev.kiln.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.oci.Digest;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.MediaType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The image names of the store: its index.json (image-spec image-index.md), whose entries are
 * manifest descriptors; a named image carries {@code org.opencontainers.image.ref.name} = its full
 * name ("localhost/foo:latest"). Every change takes the exclusive lock on index.lock, re-reads
 * index.json, edits it, writes index.json.tmp-…, fsyncs and renames it over index.json. Unknown
 * fields (of the index and of entries) are kept; entries are written sorted (named by name, then
 * unnamed by digest) so the file is stable.
 */
public final class Images {
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    private final Path indexFile;
    private final Path lockFile;

    Images(Path root) {
        this.indexFile = root.resolve("index.json");
        this.lockFile = root.resolve("index.lock");
    }

    public List<ImageRecord> list() {
        return records(read());
    }

    public Optional<ImageRecord> byName(String fullName) {
        return list().stream().filter(r -> fullName.equals(r.name())).findFirst();
    }

    /** The entries (named or not) of {@code manifest}. */
    public List<ImageRecord> byManifest(Digest manifest) {
        return list().stream().filter(r -> r.manifest().equals(manifest)).toList();
    }

    /** Entries whose manifest digest's hex starts with {@code hexPrefix}. */
    public List<ImageRecord> byDigestPrefix(String hexPrefix) {
        String p = hexPrefix.startsWith("sha256:") ? hexPrefix.substring(7) : hexPrefix;
        return list().stream().filter(r -> r.manifest().hex().startsWith(p)).toList();
    }

    /**
     * Points {@code fullName} at {@code manifest}: the name leaves any entry it was on, an unnamed
     * entry of the same manifest is replaced. Other names of the manifest stay.
     */
    public void tag(String fullName, String mediaType, Digest manifest, long size) {
        requireName(fullName);
        update("tagging " + manifest + " as " + fullName, entries -> {
            entries.removeIf(e -> fullName.equals(name(e)) || (name(e) == null && manifest.equals(digest(e))));
            entries.add(entry(fullName, mediaType, manifest, size));
        });
    }

    /** Adds an unnamed entry for {@code manifest}, unless an entry (named or not) already has it. */
    public void addUnnamed(String mediaType, Digest manifest, long size) {
        update("adding image " + manifest, entries -> {
            if (entries.stream().noneMatch(e -> manifest.equals(digest(e)))) {
                entries.add(entry(null, mediaType, manifest, size));
            }
        });
    }

    /**
     * Removes the name; the entry goes with it, so an image whose last name this was leaves
     * index.json (as {@code rmi} of the last tag). Returns false if no image had the name.
     */
    public boolean untag(String fullName) {
        boolean[] found = {false};
        update("untagging " + fullName, entries -> found[0] = entries.removeIf(e -> fullName.equals(name(e))));
        return found[0];
    }

    /** Removes every entry of {@code manifest}, named or not. */
    public void remove(Digest manifest) {
        update("removing image " + manifest, entries -> entries.removeIf(e -> manifest.equals(digest(e))));
    }

    /**
     * Removes the entry named {@code name}, or with {@code name} null the unnamed entry of
     * {@code manifest} (fsck --repair of a damaged image). Returns whether one was there.
     */
    public boolean removeEntry(String name, Digest manifest) {
        boolean[] found = {false};
        update("removing the entry of " + (name != null ? name : manifest), entries -> found[0] = entries.removeIf(e ->
                name != null ? name.equals(name(e)) : name(e) == null && manifest.equals(digest(e))));
        return found[0];
    }

    /** Drops the entries without a well-formed digest (fsck --repair); returns how many. */
    public int dropMalformedEntries() {
        try (StoreLock l = StoreLock.acquire(lockFile)) {
            ObjectNode index = Json.readObject(indexFile);
            List<JsonNode> kept = new ArrayList<>();
            for (JsonNode e : index.withArray("manifests")) {
                if (e instanceof ObjectNode o && Digest.isDigest(Json.text(o, "digest"))) kept.add(e);
            }
            int dropped = index.withArray("manifests").size() - kept.size();
            index.putArray("manifests").addAll(kept);
            Json.writeAtomically(indexFile, index);
            return dropped;
        } catch (IOException e) {
            throw Fs.fail("dropping malformed entries of " + indexFile, e);
        }
    }

    /**
     * Replaces an unreadable index.json by one listing {@code manifests} unnamed (fsck --repair);
     * the old file is kept beside it as {@code index.json.broken-<millis>}. Returns that file.
     */
    public Path replaceUnreadable(List<ImageRecord> manifests) {
        try (StoreLock l = StoreLock.acquire(lockFile)) {
            Path kept = indexFile.resolveSibling("index.json.broken-" + System.currentTimeMillis());
            if (java.nio.file.Files.exists(indexFile)) java.nio.file.Files.copy(indexFile, kept);
            ObjectNode index = Json.parseObject(emptyIndex(), "index");
            ArrayNode arr = index.putArray("manifests");
            for (ImageRecord r : manifests) arr.add(entry(null, r.mediaType(), r.manifest(), r.size()));
            Json.writeAtomically(indexFile, index);
            return kept;
        } catch (IOException e) {
            throw Fs.fail("rewriting " + indexFile, e);
        }
    }

    /** Runs {@code body} while holding the index lock (for gc, which must not race with tagging). */
    <T> T locked(java.util.function.Supplier<T> body) {
        try (StoreLock l = StoreLock.acquire(lockFile)) {
            return body.get();
        } catch (IOException e) {
            throw Fs.fail("locking " + lockFile, e);
        }
    }

    private interface Edit {
        void apply(List<ObjectNode> entries);
    }

    private void update(String doing, Edit edit) {
        try (StoreLock l = StoreLock.acquire(lockFile)) {
            ObjectNode index = read();
            List<ObjectNode> entries = new ArrayList<>();
            index.withArray("manifests").forEach(n -> entries.add((ObjectNode) n));
            edit.apply(entries);
            entries.sort(ORDER);
            ArrayNode arr = index.putArray("manifests");
            entries.forEach(arr::add);
            Json.writeAtomically(indexFile, index);
        } catch (IOException e) {
            throw Fs.fail(doing + " in " + indexFile, e);
        }
    }

    ObjectNode read() {
        try {
            ObjectNode index = Json.readObject(indexFile);
            JsonNode m = index.get("manifests");
            if (m != null && !m.isArray()) throw new InvalidInputException(indexFile + ": \"manifests\" is not an array");
            if (m == null) index.putArray("manifests");
            for (JsonNode e : index.get("manifests")) {
                if (!(e instanceof ObjectNode) || digest((ObjectNode) e) == null) {
                    throw new InvalidInputException(indexFile + ": an entry has no digest: " + e);
                }
            }
            return index;
        } catch (IOException e) {
            throw Fs.fail("reading " + indexFile, e);
        }
    }

    /** index.json's contents for a new store. */
    static byte[] emptyIndex() {
        ObjectNode n = Json.object();
        n.put("schemaVersion", 2);
        n.put("mediaType", MediaType.OCI_INDEX);
        n.putArray("manifests");
        return Json.bytes(n);
    }

    private static final Comparator<ObjectNode> ORDER = Comparator
            .comparing((ObjectNode e) -> name(e) == null ? 1 : 0)
            .thenComparing(e -> name(e) == null ? "" : name(e))
            .thenComparing(e -> e.path("digest").asText());

    static List<ImageRecord> records(ObjectNode index) {
        List<ImageRecord> out = new ArrayList<>();
        for (JsonNode n : index.withArray("manifests")) {
            ObjectNode e = (ObjectNode) n;
            Map<String, String> ann = new LinkedHashMap<>();
            e.path("annotations").properties().forEach(f -> ann.put(f.getKey(), f.getValue().asText()));
            out.add(new ImageRecord(name(e), Json.text(e, "mediaType"), digest(e), e.path("size").asLong(-1), ann));
        }
        return out;
    }

    private static ObjectNode entry(String name, String mediaType, Digest manifest, long size) {
        ObjectNode e = Json.object();
        e.put("mediaType", mediaType);
        e.put("digest", manifest.toString());
        e.put("size", size);
        if (name != null) e.putObject("annotations").put(REF_NAME, name);
        return e;
    }

    static String name(ObjectNode e) {
        return Json.text(e.path("annotations"), REF_NAME);
    }

    static Digest digest(ObjectNode e) {
        String d = Json.text(e, "digest");
        return d == null ? null : Digest.parse(d);
    }

    private static void requireName(String fullName) {
        if (fullName == null || fullName.isBlank()) throw new InvalidInputException("an image name may not be empty");
    }
}

package dev.kiln.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.oci.Digest;
import dev.kiln.oci.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The local build cache: {@code cache/<keyHex>} files, each naming the image a build step made
 * ({@code {"manifest": "sha256:…", "mediaType": …, "size": N}}). A key is a SHA-256 the build
 * executor computes over everything the step's result depends on. Entries are written
 * atomically (tmp + rename) and never edited; a lookup whose image has left index.json is a miss
 * (and the stale entry is dropped), so removing an image never needs to find its entries, and
 * gc removes the ones left over.
 */
public final class BuildCache {
    private final Path dir;
    private final Images images;

    BuildCache(Path root, Images images) {
        this.dir = root.resolve("cache");
        this.images = images;
    }

    /** One cache entry: the image a step made. */
    public record Entry(Digest key, Digest manifest, String mediaType, long size) {}

    /** The image cached under {@code key}, if there is one and it is still in the store. */
    public Optional<Entry> get(Digest key) {
        Path f = dir.resolve(key.hex());
        ObjectNode n;
        try {
            n = Json.readObject(f);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | InvalidInputException e) {
            return Optional.empty(); // a damaged entry is a miss; the step's result replaces it
        }
        Entry e;
        try {
            e = new Entry(key, Digest.parse(Json.text(n, "manifest")), Json.text(n, "mediaType"), n.path("size").asLong());
        } catch (RuntimeException bad) {
            return Optional.empty();
        }
        if (images.byManifest(e.manifest()).isEmpty()) {
            drop(key);
            return Optional.empty();
        }
        return Optional.of(e);
    }

    /** Records that {@code key} made the image {@code manifest} (replacing an older entry). */
    public void put(Digest key, Digest manifest, String mediaType, long size) {
        ObjectNode n = Json.object();
        n.put("manifest", manifest.toString());
        n.put("mediaType", mediaType);
        n.put("size", size);
        try {
            Files.createDirectories(dir);
            Json.writeAtomically(dir.resolve(key.hex()), n);
        } catch (IOException e) {
            throw Fs.fail("writing build cache entry " + key, e);
        }
    }

    /**
     * What the last build of one context directory remembered of its files' digests
     * ({@code cache/context-<pathKey hex>}, written by {@link #putContextDigests}); null when there
     * is nothing or it cannot be read (the build then reads the files).
     */
    public byte[] contextDigests(Digest pathKey) {
        try {
            return Files.readAllBytes(dir.resolve("context-" + pathKey.hex()));
        } catch (IOException e) {
            return null;
        }
    }

    /** Replaces what {@link #contextDigests} returns for {@code pathKey}: atomically for readers, not synced (a cache). */
    public void putContextDigests(Digest pathKey, byte[] bytes) {
        try {
            Files.createDirectories(dir);
            Fs.replaceUnsynced(dir.resolve("context-" + pathKey.hex()), bytes);
        } catch (IOException e) {
            throw Fs.fail("writing the context digests " + pathKey, e);
        }
    }

    /** Forgets {@code key} (gone already is fine). */
    public void drop(Digest key) {
        try {
            Files.deleteIfExists(dir.resolve(key.hex()));
        } catch (IOException e) {
            throw Fs.fail("removing build cache entry " + key, e);
        }
    }

    /** Every key present. */
    public List<Digest> keys() {
        List<Digest> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (var s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String hex = p.getFileName().toString();
                if (Digest.isDigest("sha256:" + hex)) out.add(new Digest("sha256", hex));
            }
        } catch (IOException e) {
            throw Fs.fail("listing " + dir, e);
        }
        return out;
    }

    /** The images the entries name, read without checking index.json (one pass for listings). */
    public java.util.Set<Digest> manifests() {
        java.util.Set<Digest> out = new java.util.HashSet<>();
        for (Digest k : keys()) {
            try {
                out.add(Digest.parse(Json.text(Json.readObject(dir.resolve(k.hex())), "manifest")));
            } catch (IOException | RuntimeException e) {
                // gone or damaged: names nothing
            }
        }
        return out;
    }

    /** Removes the entries whose image is no longer in index.json; returns how many. */
    public int prune() {
        int n = 0;
        for (Digest k : keys()) {
            if (Files.exists(dir.resolve(k.hex())) && get(k).isEmpty()) n++;
        }
        return n;
    }
}

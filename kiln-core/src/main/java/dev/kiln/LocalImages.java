package dev.kiln;

import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.NotFoundException;
import dev.kiln.oci.Reference;
import dev.kiln.store.ImageRecord;
import dev.kiln.store.Store;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds images in the store by name, short name, id or id prefix, as buildah does. */
final class LocalImages {
    private final Store store;

    LocalImages(Store store) {
        this.store = store;
    }

    /** "app" → "localhost/app:latest"; names with a registry keep it; a digest reference stays as written. */
    static String normalize(String unsafeName) {
        return Reference.parse(unsafeName).withDefaults("localhost").toString();
    }

    /** Every image in the store, one per manifest, with all its names. */
    List<LocalImage> all() {
        Map<Digest, List<String>> names = new LinkedHashMap<>();
        Map<Digest, String> types = new LinkedHashMap<>();
        for (ImageRecord r : store.images().list()) {
            names.computeIfAbsent(r.manifest(), d -> new ArrayList<>());
            if (r.name() != null) names.get(r.manifest()).add(r.name());
            types.put(r.manifest(), r.mediaType());
        }
        List<LocalImage> out = new ArrayList<>();
        for (var e : names.entrySet()) {
            try {
                out.add(load(e.getKey(), types.get(e.getKey()), e.getValue()));
            } catch (NotFoundException gone) {
                // Another process removed it (rmi, then gc) since index.json was read: it is no longer
                // an image, and a lookup of some other image must not fail for it (issue 8, item 5).
                // Still listed and missing a blob is damage, said as before.
                if (!store.images().byManifest(e.getKey()).isEmpty()) throw gone;
            }
        }
        return out;
    }

    LocalImage get(String nameOrId) {
        return find(nameOrId).orElseThrow(() -> new NotFoundException("no image '" + nameOrId
                + "' in the store " + store.root() + " (list them with kiln images)"));
    }

    Optional<LocalImage> find(String nameOrId) {
        if (nameOrId == null || nameOrId.isBlank()) throw new InvalidInputException("no image name given");
        String s = nameOrId.startsWith("sha256:") ? nameOrId.substring(7) : nameOrId;
        if (s.matches("[0-9a-f]{3,64}")) {
            List<LocalImage> byId = new ArrayList<>();
            for (LocalImage img : all()) {
                if (img.id().startsWith(s) || img.manifestDigest().hex().startsWith(s)) byId.add(img);
            }
            if (byId.size() == 1) return Optional.of(byId.getFirst());
            if (byId.size() > 1 && s.length() < 64) {
                throw new InvalidInputException("'" + nameOrId + "' matches " + byId.size() + " images; give more of the id");
            }
        }
        for (String candidate : candidates(nameOrId)) {
            Optional<ImageRecord> r = store.images().byName(candidate);
            if (r.isPresent()) return Optional.of(withNames(r.get().manifest(), r.get().mediaType()));
        }
        return Optional.empty();
    }

    /** The full names a short name may mean, in the order buildah searches them. */
    static List<String> candidates(String name) {
        Reference ref;
        try {
            ref = Reference.parse(name);
        } catch (InvalidInputException e) {
            return List.of();
        }
        if (ref.hasRegistry()) return List.of(ref.withDefaults("localhost").toString());
        return List.of(ref.withDefaults("localhost").toString(), ref.withDefaults("docker.io").toString());
    }

    LocalImage withNames(Digest manifest, String mediaType) {
        List<String> names = new ArrayList<>();
        for (ImageRecord r : store.images().list()) {
            if (r.manifest().equals(manifest) && r.name() != null) names.add(r.name());
        }
        return load(manifest, mediaType, names);
    }

    private LocalImage load(Digest digest, String mediaType, List<String> names) {
        byte[] manifestBytes = store.blobs().read(digest);
        Manifest manifest = Manifest.parse(manifestBytes);
        byte[] configBytes = store.blobs().read(manifest.config().digest());
        return new LocalImage(digest, mediaType, manifestBytes, manifest, configBytes, ImageConfig.parse(configBytes), List.copyOf(names));
    }
}

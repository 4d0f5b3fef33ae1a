package dev.kiln.transport;

import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.Reference;
import java.nio.file.Path;

/**
 * Where an image lives outside the store, as users write it: {@code oci:DIR[:TAG]},
 * {@code oci-archive:FILE[:TAG]}, {@code docker-archive:FILE[:NAME[:TAG]]}, {@code docker://REF},
 * and, as buildah accepts them, plain references that name a registry ({@code REGISTRY/REPO[:TAG]}).
 */
public sealed interface ImageLocation {
    /** An OCI image layout directory; {@code tag} (the ref.name annotation) may be null. */
    record OciDir(Path dir, String tag) implements ImageLocation {}

    /** A tar of an OCI image layout. */
    record OciArchive(Path file, String tag) implements ImageLocation {}

    /** The tarball {@code docker save} writes and {@code docker load} reads; {@code name} (NAME:TAG) may be null. */
    record DockerArchive(Path file, String name) implements ImageLocation {}

    /**
     * An image in a registry; {@code reference} has Docker's defaults filled in (registry,
     * {@code library/}, tag "latest" unless a digest was given).
     */
    record Docker(Reference reference) implements ImageLocation {}

    String DOCKER_PREFIX = "docker://";

    /** True when {@code text} starts with a transport prefix kiln knows. */
    static boolean isLocation(String text) {
        return text.startsWith("oci:") || text.startsWith("oci-archive:") || text.startsWith("docker-archive:")
                || text.startsWith(DOCKER_PREFIX);
    }

    /**
     * Parses a location. Text without a transport prefix is a registry reference when it names a
     * registry ({@code 127.0.0.1:5000/app}, {@code quay.io/ns/app:1}); a short name such as
     * {@code app} is not a location (write {@code docker://app} for Docker Hub).
     */
    static ImageLocation parse(String unsafeText) {
        if (unsafeText.startsWith(DOCKER_PREFIX)) {
            String ref = unsafeText.substring(DOCKER_PREFIX.length());
            if (ref.startsWith("//")) ref = ref.substring(2);
            return new Docker(Reference.parse(ref).withDefaults(Reference.DOCKER_HUB));
        }
        if (!isLocation(unsafeText)) {
            Reference ref = qualifiedReference(unsafeText);
            if (ref != null) return new Docker(ref.withDefaults(Reference.DOCKER_HUB));
        }
        int colon = unsafeText.indexOf(':');
        if (colon < 0) throw unknown(unsafeText);
        String transport = unsafeText.substring(0, colon);
        String rest = unsafeText.substring(colon + 1);
        if (rest.isEmpty()) {
            throw new InvalidInputException("'" + unsafeText + "' names no path (write " + transport + ":PATH[:TAG])");
        }
        int sep = rest.indexOf(':');
        Path path = Path.of(sep < 0 ? rest : rest.substring(0, sep));
        String ref = sep < 0 || sep == rest.length() - 1 ? null : rest.substring(sep + 1);
        return switch (transport) {
            case "oci" -> new OciDir(path, ref);
            case "oci-archive" -> new OciArchive(path, ref);
            case "docker-archive" -> new DockerArchive(path, ref);
            default -> throw unknown(unsafeText);
        };
    }

    private static Reference qualifiedReference(String text) {
        try {
            Reference ref = Reference.parse(text);
            return ref.hasRegistry() ? ref : null;
        } catch (InvalidInputException e) {
            return null;
        }
    }

    private static InvalidInputException unknown(String text) {
        return new InvalidInputException("'" + text + "' is not a location kiln knows: use docker://REF, "
                + "REGISTRY/REPO[:TAG], oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:NAME:TAG]");
    }
}

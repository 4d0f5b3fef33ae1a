package dev.kiln.transport;

import dev.kiln.oci.InvalidInputException;
import java.nio.file.Path;

/**
 * Where an image lives outside the store, as users write it: {@code oci:DIR[:TAG]},
 * {@code oci-archive:FILE[:TAG]}, {@code docker-archive:FILE[:NAME[:TAG]]}.
 */
public sealed interface ImageLocation {
    /** An OCI image layout directory; {@code tag} (the ref.name annotation) may be null. */
    record OciDir(Path dir, String tag) implements ImageLocation {}

    /** A tar of an OCI image layout. */
    record OciArchive(Path file, String tag) implements ImageLocation {}

    /** The tarball {@code docker save} writes and {@code docker load} reads; {@code name} (NAME:TAG) may be null. */
    record DockerArchive(Path file, String name) implements ImageLocation {}

    /** True when {@code text} starts with a transport prefix kiln knows. */
    static boolean isLocation(String text) {
        return text.startsWith("oci:") || text.startsWith("oci-archive:") || text.startsWith("docker-archive:");
    }

    static ImageLocation parse(String unsafeText) {
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

    private static InvalidInputException unknown(String text) {
        return new InvalidInputException("'" + text + "' is not a destination kiln knows: use oci:DIR[:TAG], "
                + "oci-archive:FILE[:TAG] or docker-archive:FILE[:NAME:TAG]");
    }
}

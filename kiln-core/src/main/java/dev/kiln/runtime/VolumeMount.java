package dev.kiln.runtime;

import dev.kiln.oci.InvalidInputException;
import java.nio.file.Path;

/** A host path bind-mounted (recursively) into the container; nothing of it ends up in a layer. */
public record VolumeMount(Path hostPath, String containerPath, boolean readOnly) {
    public VolumeMount {
        if (hostPath == null || !hostPath.isAbsolute()) throw new InvalidInputException("volume: host path must be absolute, got " + hostPath);
        if (containerPath == null || !containerPath.startsWith("/")) {
            throw new InvalidInputException("volume: container path must be absolute, got " + containerPath);
        }
    }

    /** Parses Docker's {@code HOST:CTR[:ro|rw]}. */
    public static VolumeMount parse(String unsafeSpec) {
        String[] parts = unsafeSpec == null ? new String[0] : unsafeSpec.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new InvalidInputException("volume '" + unsafeSpec + "': expected HOST:CONTAINER[:ro|rw]");
        }
        if (!parts[0].startsWith("/")) {
            throw new InvalidInputException("volume '" + unsafeSpec + "': host path must be absolute (named volumes are not supported)");
        }
        if (!parts[1].startsWith("/")) throw new InvalidInputException("volume '" + unsafeSpec + "': container path must be absolute");
        boolean readOnly = false;
        if (parts.length == 3) {
            readOnly = switch (parts[2]) {
                case "ro" -> true;
                case "rw" -> false;
                default -> throw new InvalidInputException("volume '" + unsafeSpec + "': option must be 'ro' or 'rw', got '" + parts[2] + "'");
            };
        }
        return new VolumeMount(Path.of(parts[0]).normalize(), parts[1], readOnly);
    }
}

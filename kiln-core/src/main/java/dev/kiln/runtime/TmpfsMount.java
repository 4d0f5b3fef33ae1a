package dev.kiln.runtime;

import dev.kiln.oci.InvalidInputException;

/**
 * A tmpfs mounted at {@code containerPath} for one run ({@code RUN --mount=type=tmpfs}); what the
 * command writes there is gone when the run ends. {@code sizeBytes} 0 means the kernel's default.
 */
public record TmpfsMount(String containerPath, long sizeBytes) {
    public TmpfsMount {
        if (containerPath == null || !containerPath.startsWith("/")) {
            throw new InvalidInputException("tmpfs: container path must be absolute, got " + containerPath);
        }
        if (sizeBytes < 0) throw new InvalidInputException("tmpfs: size must not be negative, got " + sizeBytes);
    }

    /** The mount options: the size when one is given. */
    java.util.List<String> options() {
        return sizeBytes > 0 ? java.util.List.of("size=" + sizeBytes) : java.util.List.of();
    }
}

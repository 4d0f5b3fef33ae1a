package dev.kiln.registry;

import dev.kiln.oci.KilnException;

/**
 * A failure that sending the same thing again might cure (I/O error, 429, 5xx), thrown once
 * {@link Http}'s own retries are used up or were not allowed. Callers that can restart a larger
 * unit (a whole blob upload) catch it; everyone else sees an ordinary {@link KilnException}.
 */
final class TransientException extends KilnException {
    TransientException(String message, Throwable cause) {
        super(message, cause);
    }
}

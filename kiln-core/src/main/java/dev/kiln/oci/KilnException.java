package dev.kiln.oci;

/**
 * An error a user can act on. The message says what was being done, to what, and what to do;
 * the CLI prints it as one line without a stack trace (unless {@code --debug}). Unchecked, so
 * the public API has no checked-exception lists.
 *
 * <p>It lives in {@code dev.kiln.oci} because that package depends on nothing and every other
 * package, and the facade's signatures, may use it.
 */
public class KilnException extends RuntimeException {
    public KilnException(String message) {
        super(message);
    }

    public KilnException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.kiln.oci;

/**
 * Input from outside is malformed or hostile: a corrupt or truncated tarball, an archive entry
 * that would escape the root, a manifest whose digest does not match, malformed JSON.
 */
public class InvalidInputException extends KilnException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}

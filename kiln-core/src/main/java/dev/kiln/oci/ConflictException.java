package dev.kiln.oci;

/** The request conflicts with the store's state: a name in use, an image still used by a container. */
public class ConflictException extends KilnException {
    public ConflictException(String message) {
        super(message);
    }
}

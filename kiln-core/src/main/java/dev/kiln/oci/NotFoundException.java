package dev.kiln.oci;

/** A named thing (image, container, file, blob) does not exist. */
public class NotFoundException extends KilnException {
    public NotFoundException(String message) {
        super(message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}

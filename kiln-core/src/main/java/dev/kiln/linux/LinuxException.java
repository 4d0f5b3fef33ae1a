package dev.kiln.linux;

import java.io.IOException;

/** A failed syscall, with its errno so callers can tell EPERM from ENOENT. */
public final class LinuxException extends IOException {
    private final int errno;

    public LinuxException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}

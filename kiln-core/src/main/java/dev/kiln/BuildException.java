package dev.kiln;

import dev.kiln.oci.KilnException;

/**
 * A build step failed: the message names the Dockerfile and line, quotes the instruction and
 * says why (for RUN, "RUN exited N"). {@code exitCode} is the RUN command's exit code, or -1.
 */
public final class BuildException extends KilnException {
    private final String file;
    private final int line;
    private final String instruction;
    private final int exitCode;

    BuildException(String file, int line, String instruction, String reason, int exitCode, Throwable cause) {
        super(file + ":" + line + ": " + instruction + ": " + reason, cause);
        this.file = file;
        this.line = line;
        this.instruction = instruction;
        this.exitCode = exitCode;
    }

    /** The instruction as written ("COPY big /big"). */
    public String instruction() {
        return instruction;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    public int exitCode() {
        return exitCode;
    }
}

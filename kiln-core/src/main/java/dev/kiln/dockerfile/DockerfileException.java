package dev.kiln.dockerfile;

import dev.kiln.oci.InvalidInputException;

/**
 * A Dockerfile that cannot be parsed or a variable expansion that fails. The message is one line
 * {@code file:line:column: reason} followed by the quoted source line, e.g.
 *
 * <pre>
 * Dockerfile:7:5: unknown instruction "RUNN" (did you mean RUN?)
 *     RUNN echo hi
 * </pre>
 *
 * An expansion error raised by {@link Expander} has no location (line 0) until the caller adds
 * one with {@link Dockerfile#locate(DockerfileException, SourcePos)}.
 */
public class DockerfileException extends InvalidInputException {
    private final String fileName;
    private final int line;
    private final int column;
    private final String sourceLine;
    private final String reason;

    public DockerfileException(String fileName, int line, int column, String sourceLine, String reason) {
        super(format(fileName, line, column, sourceLine, reason));
        this.fileName = fileName;
        this.line = line;
        this.column = column;
        this.sourceLine = sourceLine;
        this.reason = reason;
    }

    /** An error with no location yet (from {@link Expander}). */
    public DockerfileException(String reason) {
        this(null, 0, 0, null, reason);
    }

    private static String format(String fileName, int line, int column, String sourceLine, String reason) {
        if (line <= 0) {
            return reason;
        }
        String head = (fileName == null ? "Dockerfile" : fileName) + ":" + line + ":" + column + ": " + reason;
        if (sourceLine == null || sourceLine.isBlank()) {
            return head;
        }
        return head + "\n    " + sourceLine.stripTrailing();
    }

    /** The same reason at another place. */
    public DockerfileException at(String fileName, int line, int column, String sourceLine) {
        return new DockerfileException(fileName, line, column, sourceLine, reason);
    }

    public String fileName() {
        return fileName;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public String sourceLine() {
        return sourceLine;
    }

    /** The message without location and quoted line. */
    public String reason() {
        return reason;
    }
}

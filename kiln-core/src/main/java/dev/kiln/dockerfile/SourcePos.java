package dev.kiln.dockerfile;

/**
 * Where an instruction is in its Dockerfile: the 1-based line and column where it starts and the
 * 1-based line where it ends (after continuation lines and heredoc bodies).
 */
public record SourcePos(int line, int column, int endLine) {
    @Override
    public String toString() {
        return line + ":" + column + "-" + endLine;
    }
}

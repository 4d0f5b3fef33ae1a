package dev.kiln.dockerfile;

/**
 * A here-document of RUN, COPY or ADD. {@code content} is the body with a final newline per line
 * (leading tabs already removed when {@code chomp}, i.e. {@code <<-}); {@code expand} is false when
 * the delimiter was quoted ({@code <<"EOF"}, {@code <<'EOF'}): then the body is used verbatim.
 * {@code fileDescriptor} is the digits before {@code <<} (0 when none).
 */
public record Heredoc(String name, String content, boolean expand, boolean chomp, int fileDescriptor) {
}

package dev.kiln.dockerfile;

import dev.kiln.oci.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;

/**
 * The patterns of a {@code .containerignore}/{@code .dockerignore}, with Docker's rules:
 *
 * <ul>
 *   <li>a line starting with {@code #} (in column one) is a comment; a UTF-8 BOM is dropped;
 *   <li>leading and trailing whitespace is trimmed; blank lines are ignored;
 *   <li>{@code !} makes the line an exception (whitespace after it is trimmed too); a lone
 *       {@code !} is an error;
 *   <li>the pattern is cleaned as Go's {@code filepath.Clean} (so {@code ./}, trailing {@code /},
 *       {@code //} and {@code ..} go away) and a leading {@code /} is dropped;
 *   <li>a pattern excludes a path it matches and everything below a directory it matches;
 *   <li>the last pattern that matches the path or one of its parents decides.
 * </ul>
 *
 * Whether a path is a directory does not change a match ({@code foo/} also excludes a file
 * {@code foo}, as in Docker, because cleaning drops the slash).
 */
public final class IgnoreRules {
    private static final IgnoreRules NONE = new IgnoreRules(List.of(), null);

    private final List<IgnorePattern> patterns;
    private final String source;

    private IgnoreRules(List<IgnorePattern> patterns, String source) {
        this.patterns = List.copyOf(patterns);
        this.source = source;
    }

    /** Rules that exclude nothing. */
    public static IgnoreRules none() {
        return NONE;
    }

    /** Parses the text of an ignore file. */
    public static IgnoreRules parse(String text) {
        return parse(text, ".dockerignore");
    }

    /** Parses a list of patterns such as COPY's {@code --exclude} values (same syntax, no comments). */
    public static IgnoreRules ofPatterns(List<String> unsafePatterns) {
        List<IgnorePattern> out = new ArrayList<>();
        for (String p : unsafePatterns) {
            compileLine(p, "--exclude", p).ifPresent(out::add);
        }
        return new IgnoreRules(out, "--exclude");
    }

    static IgnoreRules parse(String text, String where) {
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<IgnorePattern> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("#")) continue;
            compileLine(line, where + ":" + (i + 1), line).ifPresent(out::add);
        }
        return new IgnoreRules(out, where);
    }

    private static Optional<IgnorePattern> compileLine(String line, String where, String original) {
        String p = line.strip();
        if (p.isEmpty()) return Optional.empty();
        boolean exception = p.charAt(0) == '!';
        if (exception) {
            p = p.substring(1).strip();
            if (p.isEmpty()) throw IgnorePattern.invalid(where, original, "'!' needs a pattern after it");
        }
        p = ContextPaths.clean(p);
        if (p.length() > 1 && p.charAt(0) == '/') p = p.substring(1);
        try {
            return Optional.of(IgnorePattern.compile(p, exception));
        } catch (PatternSyntaxException e) {
            throw IgnorePattern.invalid(where, original, e.getDescription());
        }
    }

    /**
     * Loads the ignore file buildah would use for {@code dockerfile} (relative to the context or
     * absolute): {@code <dockerfile>.containerignore}, then {@code <dockerfile>.dockerignore}
     * beside it, then {@code .containerignore}, then {@code .dockerignore} in the context root.
     * None of them present: {@link #none()}.
     *
     * <p>The Dockerfile and the ignore file get no special treatment: when the patterns exclude
     * them, COPY cannot select them. That is buildah's behaviour (checked against buildah 1.28:
     * {@code *} in .dockerignore and {@code COPY . /} copies neither), and buildah is kiln's
     * reference; the Docker CLI instead appends {@code !Dockerfile} and {@code !.dockerignore}
     * ({@code TrimBuildFilesFromExcludes}), and BuildKit sends the Dockerfile separately.
     */
    public static IgnoreRules load(Path contextDir, String dockerfileName) {
        Path root = contextDir.toAbsolutePath().normalize();
        Path dockerfile = root.resolve(dockerfileName).normalize();
        List<Path> candidates = List.of(
                Path.of(dockerfile + ".containerignore"), Path.of(dockerfile + ".dockerignore"),
                root.resolve(".containerignore"), root.resolve(".dockerignore"));
        for (Path candidate : candidates) {
            if (!Files.isRegularFile(candidate)) continue;
            String text;
            try {
                text = Files.readString(candidate, StandardCharsets.UTF_8);
            } catch (java.nio.charset.MalformedInputException e) {
                throw new InvalidInputException(candidate + ": not UTF-8 text", e);
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + candidate, e);
            }
            return parse(text, candidate.toString());
        }
        return NONE;
    }

    /**
     * True if {@code relPath} (relative to the context; a leading {@code /} or {@code ./} is
     * allowed) is excluded. {@code isDir} does not change the answer (see the class comment);
     * it is part of the signature so a walker states what it has.
     */
    public boolean excluded(String relPath, boolean isDir) {
        String path = ContextPaths.clean(relPath);
        while (path.startsWith("/")) path = path.substring(1);
        if (path.isEmpty() || path.equals(".")) return false;
        boolean matched = false;
        for (IgnorePattern p : patterns) {
            // Only a pattern that could change the answer needs to be evaluated.
            if (p.exception() != matched) continue;
            if (p.matchesOrParentMatches(path)) matched = !p.exception();
        }
        return matched;
    }

    /**
     * True if a walk must still descend into the excluded directory {@code relDir}: some
     * exception's text starts with {@code relDir/}. This is the rule of buildah's copier and
     * BuildKit's fsutil, not a full "could match below": with {@code vendor} and
     * {@code !**}{@code /LICENSE}, {@code vendor/LICENSE} stays excluded (checked against
     * buildah). Entries below are still checked one by one.
     */
    public boolean mayIncludeBelow(String relDir) {
        String dirSlash = ContextPaths.clean(relDir) + "/";
        for (IgnorePattern p : patterns) {
            if (p.exception() && (p.text() + "/").startsWith(dirSlash)) return true;
        }
        return false;
    }

    /** True if there are no patterns at all. */
    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /** The cleaned patterns, exceptions with their {@code !}, in order. */
    public List<String> patterns() {
        return patterns.stream().map(p -> (p.exception() ? "!" : "") + p.text()).toList();
    }

    /** Where the rules came from (a file path, {@code --exclude}), or null. */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "IgnoreRules" + patterns();
    }
}

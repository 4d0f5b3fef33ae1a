package dev.kiln;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/** Expands a source pattern with *, ? and [...] (per path component, as Go's filepath.Match) against the host. */
final class Glob {
    private Glob() {}

    static boolean hasMeta(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    /** The existing paths {@code pattern} names, relative to {@code base} unless absolute; sorted. */
    static List<Path> expand(Path base, String pattern) {
        Path start = pattern.startsWith("/") ? Path.of("/") : base;
        if (!hasMeta(pattern)) {
            Path p = start.resolve(pattern.startsWith("/") ? pattern.substring(1) : pattern);
            return Files.exists(p) ? List.of(p) : List.of();
        }
        List<Path> current = List.of(start);
        for (String part : pattern.split("/+")) {
            if (part.isEmpty() || part.equals(".")) continue;
            List<Path> next = new ArrayList<>();
            for (Path dir : current) {
                if (!hasMeta(part)) {
                    Path p = dir.resolve(part);
                    if (Files.exists(p)) next.add(p);
                    continue;
                }
                PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + part.replace("{", "\\{").replace("}", "\\}"));
                if (!Files.isDirectory(dir)) continue;
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    for (Path c : ds) if (m.matches(c.getFileName())) next.add(c);
                } catch (IOException e) {
                    // an unreadable directory matches nothing, as in a shell
                }
            }
            next.sort(null);
            current = next;
        }
        return current;
    }
}

package dev.kiln.layer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Lists a directory tree without following any symlink: every path below {@code root} (not root
 * itself) with its lstat, sorted by the bytes of its UTF-8 relative name, so parents come before
 * their children. Package-private helper.
 */
final class TreeWalker {
    private TreeWalker() {}

    /** One path of the tree; {@code name} is relative to the root, "/"-separated, no leading "/". */
    record Node(String name, Path path, FileMeta meta) {}

    static final Comparator<String> BYTE_ORDER = (a, b) ->
            Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    static List<Node> walk(Path root) throws IOException {
        List<Node> nodes = new ArrayList<>();
        collect(root, "", nodes);
        nodes.sort(Comparator.comparing(Node::name, BYTE_ORDER));
        return nodes;
    }

    private static void collect(Path dir, String prefix, List<Node> into) throws IOException {
        for (Path child : list(dir)) {
            String name = prefix + child.getFileName().toString();
            FileMeta meta = FileMeta.of(child);
            into.add(new Node(name, child, meta));
            if (meta.isDir()) collect(child, name + "/", into);
        }
    }

    /** The entries of one directory, sorted by byte order of their names. */
    static List<Path> list(Path dir) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) children.add(p);
        }
        children.sort(Comparator.comparing(p -> p.getFileName().toString(), BYTE_ORDER));
        return children;
    }
}

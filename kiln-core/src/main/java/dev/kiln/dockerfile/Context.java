package dev.kiln.dockerfile;

import dev.kiln.oci.Digest;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * A build context: a directory whose files COPY and ADD may select, seen through its ignore
 * rules. Nothing outside the root is ever selected: a source's {@code ..} stops at the root,
 * and symlinks met while resolving a source are resolved inside the root (an absolute target
 * is re-rooted at the context, as Docker and buildah do). Ignored entries do not exist for
 * COPY: a source that is ignored, or that must be reached through an ignored directory, is
 * not found.
 *
 * <p>Lifecycle: make one per build ({@link #of}, {@link #fromTar}, {@link #fromStream}), call
 * {@link #select} once per COPY/ADD, key the cache on {@link ContextDigest#of} of the result,
 * copy {@link ContextFile#hostPath()}s. Content digests are memoized per context, so keep the
 * one instance for the whole build. Thread-safe.
 */
public final class Context {
    private final Path root;
    private final IgnoreRules rules;
    private final ContextHashCache hashes;

    private Context(Path root, IgnoreRules rules, ContextHashCache hashes) {
        this.root = root;
        this.rules = rules;
        this.hashes = hashes;
    }

    /** The context in directory {@code dir}, with the given ignore rules. */
    public static Context of(Path dir, IgnoreRules rules) {
        return of(dir, rules, null);
    }

    /**
     * Where a context's file digests are kept between builds: the build gives the store's build
     * cache. {@code pathKey} is the SHA-256 of the context directory's real path.
     */
    public interface DigestMemory {
        /** What was last kept under {@code pathKey}, or null. */
        byte[] read(Digest pathKey);

        /** Replaces what is kept under {@code pathKey}. */
        void write(Digest pathKey, byte[] bytes);
    }

    /**
     * As {@link #of(Path, IgnoreRules)}; with a {@code memory}, the files' content digests are
     * remembered across builds of the same directory (see {@link #saveDigests}), so a file whose
     * stat (size, mtime, ctime, device, inode) did not change is not read again.
     */
    public static Context of(Path dir, IgnoreRules rules, DigestMemory memory) {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new NotFoundException("build context " + dir + " not found: " + e.getMessage(), e);
        }
        if (!Files.isDirectory(real)) throw new InvalidInputException("build context " + dir + " is not a directory");
        ContextHashCache hashes = memory == null ? new ContextHashCache()
                : new ContextHashCache(memory, Digest.sha256(real.toString().getBytes(StandardCharsets.UTF_8)));
        return new Context(real, rules, hashes);
    }

    /** The context in {@code dir} with the ignore file buildah picks for {@code dockerfile}. */
    public static Context load(Path dir, String dockerfile) {
        return of(dir, IgnoreRules.load(dir, dockerfile));
    }

    /** As {@link #load(Path, String)}, remembering content digests in {@code memory} (see {@link #of(Path, IgnoreRules, DigestMemory)}). */
    public static Context load(Path dir, String dockerfile, DigestMemory memory) {
        return of(dir, IgnoreRules.load(dir, dockerfile), memory);
    }

    /**
     * Gives the memory the content digests this build used, if the context has one; best effort
     * (never throws), since they are only a cache.
     */
    public void saveDigests() {
        hashes.save();
    }

    /**
     * Unpacks a context tarball (plain or gzip) into the empty or missing directory
     * {@code unpackDir} and returns it with no ignore rules: load them from the unpacked files
     * with {@link #withRules}{@code (IgnoreRules.load(root(), dockerfile))}.
     */
    public static Context fromTar(Path tar, Path unpackDir) {
        try (InputStream in = Files.newInputStream(tar)) {
            return fromStream(in, unpackDir, tar.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("reading context tarball " + tar, e);
        }
    }

    /** As {@link #fromTar}, from a stream (the {@code -} context: a tar on stdin). */
    public static Context fromStream(InputStream in, Path unpackDir) {
        return fromStream(in, unpackDir, "standard input");
    }

    private static Context fromStream(InputStream in, Path unpackDir, String name) {
        ContextTar.unpack(in, unpackDir, name);
        return of(unpackDir, IgnoreRules.none());
    }

    /** The same directory and digest cache with other ignore rules. */
    public Context withRules(IgnoreRules newRules) {
        return new Context(root, newRules, hashes);
    }

    /** The context directory (its real path). */
    public Path root() {
        return root;
    }

    public IgnoreRules rules() {
        return rules;
    }

    /**
     * The entries COPY/ADD sources select, in source order, each directory walked in name
     * order without following the symlinks inside it.
     *
     * @param unsafeSources the sources as written (globs {@code * ? [..]} per path component, as
     *     Go's {@code filepath.Match}; {@code **} is not special)
     * @param excludes COPY {@code --exclude} patterns (ignore-file syntax), matched against each
     *     entry's {@link ContextFile#path()}
     * @param followTopLevelSymlinks whether a source that is itself a symlink is followed
     *     (inside the context) or selected as the link
     * @throws NotFoundException when a source does not exist, is ignored, or a glob matches nothing
     */
    public List<ContextFile> select(List<String> unsafeSources, List<String> excludes, boolean followTopLevelSymlinks) {
        IgnoreRules exclude = IgnoreRules.ofPatterns(excludes);
        List<ContextFile> out = new ArrayList<>();
        for (String unsafe : unsafeSources) {
            if (hasMeta(unsafe)) {
                List<String> named = expandGlob(unsafe);
                boolean any = false;
                for (String n : named) any |= addSource(n, followTopLevelSymlinks, exclude, out) == null;
                if (!any) throw notFound(unsafe, "no file matches the pattern");
            } else {
                String why = addSource(ContextPaths.clampedRelative(unsafe), followTopLevelSymlinks, exclude, out);
                if (why != null) throw notFound(unsafe, why);
            }
        }
        return out;
    }

    private NotFoundException notFound(String unsafe, String why) {
        return new NotFoundException("source \"" + unsafe + "\" not found in build context " + root + ": " + why);
    }

    /** Adds what one (glob-free) source selects; returns null if found, else why not. */
    private String addSource(String named, boolean follow, IgnoreRules exclude, List<ContextFile> out) {
        ContextPaths.Resolved r = ContextPaths.resolve(root, named, follow, this::hidden);
        if (r.relPath() == null) return ignoredReason(r.hiddenAt());
        String rel = r.relPath();
        Path host = rel.isEmpty() ? root : root.resolve(rel);
        if (!ContextPaths.exists(host)) return "no such file or directory";
        ContextStat st = ContextStat.of(host);
        if (st.type() == ContextFile.Type.DIRECTORY) {
            int selected = walk(rel, rel, "", host, exclude, out);
            if (selected == 0 && rules.excluded(rel, true)) return ignoredReason(rel);
            return null;
        }
        if (rules.excluded(rel, false)) return ignoredReason(rel);
        String base = named.contains("/") ? named.substring(named.lastIndexOf('/') + 1) : named;
        if (!exclude.excluded(base, false)) out.add(new ContextFile(rel, base, host, st, hashes));
        return null;
    }

    private String ignoredReason(String rel) {
        return "\"" + rel + "\" is excluded by " + (rules.source() == null ? "the ignore rules" : rules.source());
    }

    /** A context path that does not exist for COPY: ignored and holding nothing re-included. */
    private boolean hidden(String rel) {
        return rules.excluded(rel, true) && !rules.mayIncludeBelow(rel);
    }

    /**
     * Adds the entries below {@code hostDir} ({@code dirRel} in the context, {@code inside} in the
     * directory {@code source}) and returns how many it added. An ignored directory that holds re-included
     * entries is added before them, as their parent.
     */
    private int walk(String source, String dirRel, String inside, Path hostDir, IgnoreRules exclude, List<ContextFile> out) {
        int count = 0;
        for (Path child : sortedChildren(hostDir)) {
            String name = child.getFileName().toString();
            String rel = join(dirRel, name);
            String path = join(inside, name);
            ContextStat st = ContextStat.of(child);
            boolean isDir = st.type() == ContextFile.Type.DIRECTORY;
            boolean ignored = rules.excluded(rel, isDir);
            boolean excluded = exclude.excluded(path, isDir);
            ContextFile entry = new ContextFile(source, path, child, st, hashes);
            int mark = out.size();
            boolean selected = !ignored && !excluded;
            if (selected) out.add(entry);
            int below = 0;
            if (isDir && (!ignored || rules.mayIncludeBelow(rel)) && (!excluded || exclude.mayIncludeBelow(path))) {
                below = walk(source, rel, path, child, exclude, out);
            }
            if (!selected && below > 0) out.add(mark, entry);
            count += below + (selected || below > 0 ? 1 : 0);
        }
        return count;
    }

    private List<String> expandGlob(String unsafe) {
        List<String> current = List.of("");
        for (String part : ContextPaths.clampedRelative(unsafe).split("/")) {
            if (part.isEmpty()) continue;
            List<String> next = new ArrayList<>();
            for (String prefix : current) {
                if (!hasMeta(part)) {
                    next.add(join(prefix, part));
                } else {
                    matchChildren(prefix, part, unsafe, next);
                }
            }
            current = next;
        }
        return current;
    }

    private void matchChildren(String prefix, String part, String unsafe, List<String> next) {
        Pattern p;
        try {
            p = Pattern.compile(IgnorePattern.toRegex(part, false), Pattern.DOTALL);
        } catch (PatternSyntaxException e) {
            throw new InvalidInputException("source \"" + unsafe + "\": bad pattern: " + e.getDescription());
        }
        ContextPaths.Resolved d = ContextPaths.resolve(root, prefix, true, this::hidden);
        if (d.relPath() == null) return;
        Path dir = d.relPath().isEmpty() ? root : root.resolve(d.relPath());
        if (!Files.isDirectory(dir)) return;
        for (Path child : sortedChildren(dir)) {
            String name = child.getFileName().toString();
            if (p.matcher(name).matches() && !hidden(join(d.relPath(), name))) next.add(join(prefix, name));
        }
    }

    private static List<Path> sortedChildren(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dir, e);
        }
    }

    /** As Go's {@code filepath.Glob} on Unix: a path with any of {@code * ? [ \} is a pattern. */
    static boolean hasMeta(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('\\') >= 0;
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "/" + b;
    }

    /** How many times file contents were read to digest them (the stat cache's tests use it). */
    long contentReads() {
        return hashes.reads();
    }
}

package dev.kiln.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Source selection on real directories; nothing outside the context may ever be selected. */
class ContextSelectTest {
    @TempDir Path ctx;

    private void write(String rel, String content) throws IOException {
        Path p = ctx.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private List<String> paths(Context c, String... sources) {
        return c.select(List.of(sources), List.of(), true).stream().map(f -> f.source() + ":" + f.path()).toList();
    }

    @Test
    void dotDotIsClampedAtTheContextRoot() throws Exception {
        write("etc/passwd", "context's own");
        Context c = Context.of(ctx, IgnoreRules.none());
        List<ContextFile> got = c.select(List.of("../../etc/passwd"), List.of(), true);
        assertThat(got).hasSize(1);
        assertThat(got.getFirst().hostPath()).isEqualTo(c.root().resolve("etc/passwd"));
        assertThat(Files.readString(got.getFirst().hostPath())).isEqualTo("context's own");
        assertThat(got.getFirst().path()).isEqualTo("passwd");
    }

    @Test
    void dotDotToAHostFileAbsentFromTheContextIsNotFound() {
        Context c = Context.of(ctx, IgnoreRules.none());
        assertThatThrownBy(() -> c.select(List.of("../../../etc/passwd"), List.of(), true))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("\"../../../etc/passwd\"").hasMessageContaining(c.root().toString())
                .hasMessageContaining("no such file or directory");
    }

    @Test
    void absoluteSymlinkIsReRootedAtTheContext() throws Exception {
        write("etc/hostname", "inside");
        Files.createSymbolicLink(ctx.resolve("hostetc"), Path.of("/etc"));
        Context c = Context.of(ctx, IgnoreRules.none());
        List<ContextFile> got = c.select(List.of("hostetc/hostname"), List.of(), true);
        assertThat(got).singleElement().satisfies(f -> {
            assertThat(f.hostPath()).isEqualTo(c.root().resolve("etc/hostname"));
            assertThat(f.source()).isEqualTo("etc/hostname");
        });
        // A file only the host's /etc has is not found.
        assertThatThrownBy(() -> c.select(List.of("hostetc/os-release"), List.of(), true)).isInstanceOf(NotFoundException.class);
        // Walking through the link as a directory source lists the context's etc, not the host's.
        assertThat(paths(c, "hostetc")).containsExactly("etc:hostname");
    }

    @Test
    void relativeSymlinkClimbingOutIsClamped() throws Exception {
        write("secret.txt", "context");
        Files.createDirectories(ctx.resolve("a"));
        Files.createSymbolicLink(ctx.resolve("a/up"), Path.of("../../../../secret.txt"));
        Context c = Context.of(ctx, IgnoreRules.none());
        assertThat(c.select(List.of("a/up"), List.of(), true)).singleElement()
                .satisfies(f -> assertThat(f.hostPath()).isEqualTo(c.root().resolve("secret.txt")));
        // Not following the top-level link: the link itself is selected, target kept as written.
        assertThat(c.select(List.of("a/up"), List.of(), false)).singleElement().satisfies(f -> {
            assertThat(f.type()).isEqualTo(ContextFile.Type.SYMLINK);
            assertThat(f.linkTarget()).isEqualTo("../../../../secret.txt");
            assertThat(f.path()).isEqualTo("up");
        });
    }

    @Test
    void symlinksInsideAWalkedDirectoryAreNotFollowed() throws Exception {
        write("d/f", "x");
        Files.createSymbolicLink(ctx.resolve("d/etc"), Path.of("/etc"));
        Context c = Context.of(ctx, IgnoreRules.none());
        List<ContextFile> got = c.select(List.of("d"), List.of(), true);
        assertThat(got).extracting(ContextFile::path).containsExactly("etc", "f");
        assertThat(got.getFirst().type()).isEqualTo(ContextFile.Type.SYMLINK);
    }

    @Test
    void globsPerComponentAsFilepathMatch() throws Exception {
        write("a1.txt", "1");
        write("a2.txt", "2");
        write("b.txt", "3");
        write(".hidden.txt", "4");
        write("sub/x.txt", "5");
        write("sub/deep/y.txt", "6");
        Context c = Context.of(ctx, IgnoreRules.none());
        assertThat(paths(c, "a?.txt")).containsExactly("a1.txt:a1.txt", "a2.txt:a2.txt");
        assertThat(paths(c, "*.txt")).containsExactly(".hidden.txt:.hidden.txt", "a1.txt:a1.txt", "a2.txt:a2.txt", "b.txt:b.txt");
        assertThat(paths(c, "[ab]*.txt")).hasSize(3);
        assertThat(paths(c, "*/x.txt")).containsExactly("sub/x.txt:x.txt");
        // ** is two stars: one component, not any depth.
        assertThat(paths(c, "**/*/y.txt", "sub/**/y.txt")).containsExactly("sub/deep/y.txt:y.txt", "sub/deep/y.txt:y.txt");
        assertThatThrownBy(() -> c.select(List.of("**/y.txt"), List.of(), true)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> c.select(List.of("*.go"), List.of(), true)).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("\"*.go\"").hasMessageContaining("no file matches the pattern");
    }

    @Test
    void directoriesAreWalkedWithMetadata() throws Exception {
        write("src/a.txt", "hello");
        write("src/sub/b.txt", "b");
        Context c = Context.of(ctx, IgnoreRules.none());
        List<ContextFile> got = c.select(List.of("src"), List.of(), true);
        assertThat(got).extracting(ContextFile::path).containsExactly("a.txt", "sub", "sub/b.txt");
        ContextFile a = got.getFirst();
        assertThat(a.type()).isEqualTo(ContextFile.Type.FILE);
        assertThat(a.size()).isEqualTo(5);
        Files.setPosixFilePermissions(a.hostPath(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        assertThat(c.select(List.of("src/a.txt"), List.of(), true).getFirst().mode()).isEqualTo(0750);
        assertThat(a.uid()).isGreaterThanOrEqualTo(0);
        assertThat(a.digest().toString()).isEqualTo("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        assertThat(got.get(1).type()).isEqualTo(ContextFile.Type.DIRECTORY);
        assertThat(paths(c, ".")).containsExactly(":src", ":src/a.txt", ":src/sub", ":src/sub/b.txt");
    }

    @Test
    void ignoredSourcesAreNotFound() throws Exception {
        write("secret.key", "k");
        write("node_modules/x/index.js", "js");
        write("app.js", "app");
        Context c = Context.of(ctx, IgnoreRules.parse("*.key\nnode_modules\n"));
        assertThatThrownBy(() -> c.select(List.of("secret.key"), List.of(), true)).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("\"secret.key\" is excluded by .dockerignore");
        assertThatThrownBy(() -> c.select(List.of("node_modules/x/index.js"), List.of(), true)).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("\"node_modules\" is excluded");
        assertThatThrownBy(() -> c.select(List.of("node_modules"), List.of(), true)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> c.select(List.of("*.key"), List.of(), true)).isInstanceOf(NotFoundException.class);
        assertThat(paths(c, ".")).containsExactly(":app.js");
    }

    @Test
    void symlinkToAnIgnoredFileDoesNotReachIt() throws Exception {
        write("secret.key", "k");
        Files.createSymbolicLink(ctx.resolve("link"), Path.of("secret.key"));
        Context c = Context.of(ctx, IgnoreRules.parse("secret.key\n"));
        assertThatThrownBy(() -> c.select(List.of("link"), List.of(), true)).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("\"secret.key\" is excluded");
    }

    @Test
    void exceptionReIncludesAChildOfAnExcludedDirectoryWithItsParent() throws Exception {
        write("docs/keep.txt", "k");
        write("docs/drop.txt", "d");
        write("docs/sub/keep.txt", "k2");
        write("vendor/LICENSE", "l");
        // As buildah: a walk enters an excluded directory only for an exception under it by name,
        // so !**/sub/keep.txt re-includes nothing inside the excluded docs/sub.
        Context c = Context.of(ctx, IgnoreRules.parse("docs\nvendor\n!docs/keep.txt\n!**/sub/keep.txt\n"));
        assertThat(paths(c, ".")).containsExactly(":docs", ":docs/keep.txt");
        assertThat(paths(c, "docs/keep.txt")).containsExactly("docs/keep.txt:keep.txt");
        assertThat(paths(c, "docs")).containsExactly("docs:keep.txt");
        Context named = Context.of(ctx, IgnoreRules.parse("docs\nvendor\n!docs/sub/keep.txt\n"));
        assertThat(paths(named, ".")).containsExactly(":docs", ":docs/sub", ":docs/sub/keep.txt");
        assertThatThrownBy(() -> c.select(List.of("docs/drop.txt"), List.of(), true)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void copyExcludeUsesTheSameMatcherOnPathsInsideTheSource() throws Exception {
        write("src/a.txt", "a");
        write("src/b.md", "b");
        write("src/sub/c.txt", "c");
        write("src/sub/keep.txt", "k");
        Context c = Context.of(ctx, IgnoreRules.none());
        List<String> got = c.select(List.of("src"), List.of("**/*.txt", "!sub/keep.txt"), true).stream().map(ContextFile::path).toList();
        assertThat(got).containsExactly("b.md", "sub", "sub/keep.txt");
        assertThat(c.select(List.of("src"), List.of("**/*.txt"), true)).extracting(ContextFile::path).containsExactly("b.md", "sub");
        assertThat(c.select(List.of("src/*"), List.of("*.txt"), true)).extracting(ContextFile::path)
                .containsExactly("b.md");
    }

    @Test
    void missingSourceNamesSourceAndContext() {
        Context c = Context.of(ctx, IgnoreRules.none());
        assertThatThrownBy(() -> c.select(List.of("missing.txt"), List.of(), true)).isInstanceOf(NotFoundException.class)
                .hasMessage("source \"missing.txt\" not found in build context " + c.root() + ": no such file or directory");
    }

    @Test
    void symlinkLoopIsNotFoundNotAHang() throws Exception {
        Files.createSymbolicLink(ctx.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(ctx.resolve("b"), Path.of("a"));
        Context c = Context.of(ctx, IgnoreRules.none());
        assertThatThrownBy(() -> c.select(List.of("a"), List.of(), true)).isInstanceOf(NotFoundException.class);
    }
}

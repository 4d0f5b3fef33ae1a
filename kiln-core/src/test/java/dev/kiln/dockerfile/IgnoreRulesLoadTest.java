package dev.kiln.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IgnoreRulesLoadTest {
    @TempDir Path ctx;

    @Test
    void dockerfileSpecificFileWinsThenContainerignoreThenDockerignore() throws Exception {
        Files.writeString(ctx.resolve(".dockerignore"), "d\n");
        assertThat(IgnoreRules.load(ctx, "Dockerfile").patterns()).containsExactly("d");
        Files.writeString(ctx.resolve(".containerignore"), "c\n");
        assertThat(IgnoreRules.load(ctx, "Dockerfile").patterns()).containsExactly("c");
        Files.writeString(ctx.resolve("Dockerfile.dockerignore"), "fd\n");
        assertThat(IgnoreRules.load(ctx, "Dockerfile").patterns()).containsExactly("fd");
        Files.writeString(ctx.resolve("Dockerfile.containerignore"), "fc\n");
        assertThat(IgnoreRules.load(ctx, "Dockerfile").patterns()).containsExactly("fc");
        assertThat(IgnoreRules.load(ctx, "Other").patterns()).containsExactly("c");
    }

    @Test
    void dockerfileBesideItsOwnIgnoreFileInASubdirectory() throws Exception {
        Files.createDirectories(ctx.resolve("build"));
        Files.writeString(ctx.resolve("build/app.Containerfile.dockerignore"), "x\n");
        Files.writeString(ctx.resolve(".dockerignore"), "root\n");
        assertThat(IgnoreRules.load(ctx, "build/app.Containerfile").patterns()).containsExactly("x");
    }

    @Test
    void noIgnoreFileExcludesNothing() {
        IgnoreRules rules = IgnoreRules.load(ctx, "Dockerfile");
        assertThat(rules.isEmpty()).isTrue();
        assertThat(rules.excluded("anything", false)).isFalse();
    }

    @Test
    void dockerfileAndIgnoreFileAreExcludableAsInBuildah() throws Exception {
        Files.writeString(ctx.resolve(".dockerignore"), "*\n");
        IgnoreRules rules = IgnoreRules.load(ctx, "Dockerfile");
        assertThat(rules.patterns()).containsExactly("*");
        assertThat(rules.excluded("Dockerfile", false)).isTrue();
        assertThat(rules.excluded(".dockerignore", false)).isTrue();
        assertThat(rules.excluded("main.go", false)).isTrue();
    }

    @Test
    void notExcludedMeansNoExtraException() throws Exception {
        Files.writeString(ctx.resolve(".dockerignore"), "*.go\n");
        assertThat(IgnoreRules.load(ctx, "Dockerfile").patterns()).containsExactly("*.go");
    }

    @Test
    void byteOrderMarkAndCrLfTolerated() {
        IgnoreRules rules = IgnoreRules.parse("\uFEFFfoo\r\nbar\r\n");
        assertThat(rules.patterns()).containsExactly("foo", "bar");
    }

    @Test
    void badPatternsNameTheFileAndLine() throws Exception {
        assertThatThrownBy(() -> IgnoreRules.parse("ok\n!\n")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(".dockerignore:2").hasMessageContaining("'!' needs a pattern");
        Files.writeString(ctx.resolve(".dockerignore"), "a\n[abc\n");
        assertThatThrownBy(() -> IgnoreRules.load(ctx, "Dockerfile")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(".dockerignore:2").hasMessageContaining("[abc");
    }

    @Test
    void mayIncludeBelowOnlyForAnExceptionUnderThatDirectory() {
        IgnoreRules rules = IgnoreRules.parse("docs\nvendor\n!docs/keep.txt\n");
        assertThat(rules.mayIncludeBelow("docs")).isTrue();
        assertThat(rules.mayIncludeBelow("vendor")).isFalse();
        assertThat(IgnoreRules.parse("vendor\n!**/LICENSE\n").mayIncludeBelow("vendor")).isFalse();
        assertThat(rules.mayIncludeBelow("do")).isFalse();
    }
}

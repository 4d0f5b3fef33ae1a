package dev.kiln.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BuildKit-style data tests: each directory under {@code dockerfile/parse/} holds a
 * {@code Dockerfile} and either {@code expected.txt} (the {@link DockerfileDump}) or
 * {@code error.txt} (the exact message). Run with {@code -Dkiln.updateParseCases=true} to rewrite
 * the expected files from the current output (then review the diff).
 */
class DockerfileParserDataTest {
    static final Path ROOT = Path.of("src/test/resources/dockerfile/parse");

    static List<Path> cases() throws IOException {
        try (Stream<Path> s = Files.list(ROOT)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    @Test
    void thereAreEnoughCases() throws IOException {
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(40);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parseCase(Path dir) throws IOException {
        String text = Files.readString(dir.resolve("Dockerfile"), StandardCharsets.UTF_8);
        Path expected = dir.resolve("expected.txt");
        Path error = dir.resolve("error.txt");
        boolean update = Boolean.getBoolean("kiln.updateParseCases");
        String actual;
        boolean failed;
        try {
            actual = DockerfileDump.dump(DockerfileParser.parse(text, "Dockerfile"));
            failed = false;
        } catch (DockerfileException e) {
            actual = e.getMessage() + "\n";
            failed = true;
        }
        if (update) {
            Files.deleteIfExists(failed ? expected : error);
            Files.writeString(failed ? error : expected, actual);
            return;
        }
        assertThat(Files.exists(expected) ^ Files.exists(error)).as("exactly one of expected.txt, error.txt in " + dir)
                .isTrue();
        if (Files.exists(error)) {
            String want = Files.readString(error).stripTrailing();
            assertThatThrownBy(() -> DockerfileParser.parse(text, "Dockerfile"))
                    .isInstanceOf(DockerfileException.class).hasMessage(want);
        } else {
            assertThat(actual).as(dir.toString()).isEqualTo(Files.readString(expected));
        }
    }
}

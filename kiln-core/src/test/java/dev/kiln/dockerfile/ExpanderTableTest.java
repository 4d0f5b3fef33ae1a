package dev.kiln.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rows of {@code dockerfile/expand.txt}: {@code input | env | expected}. */
class ExpanderTableTest {
    static List<Arguments> rows() throws IOException {
        return Files.readAllLines(Path.of("src/test/resources/dockerfile/expand.txt")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> {
                    String[] parts = l.split(" \\| ", -1);
                    assertThat(parts).as(l).hasSize(3);
                    return Arguments.of(parts[0].strip(), parts[1].strip(), parts[2].strip());
                })
                .toList();
    }

    @Test
    void tableHasEnoughRows() throws IOException {
        assertThat(rows()).hasSizeGreaterThanOrEqualTo(40);
    }

    @ParameterizedTest(name = "{0} | {1} | {2}")
    @MethodSource("rows")
    void row(String input, String envText, String expected) {
        Map<String, String> env = new LinkedHashMap<>();
        if (!envText.equals("-")) {
            for (String kv : envText.split(";")) {
                int eq = kv.indexOf('=');
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        char escape = '\\';
        boolean words = false;
        if (input.startsWith("bt:")) {
            escape = '`';
            input = input.substring(3);
        }
        if (input.startsWith("words:")) {
            words = true;
            input = input.substring(6);
        }
        Expander x = new Expander(env, escape);
        String in = input;
        boolean split = words;
        if (expected.startsWith("ERROR: ")) {
            assertThatThrownBy(() -> {
                if (split) {
                    x.splitWords(in);
                } else {
                    x.expandWord(in);
                }
            }).isInstanceOf(DockerfileException.class).hasMessage(expected.substring(7));
            return;
        }
        String actual = words
                ? x.splitWords(input).stream().map(w -> "[" + w + "]").collect(Collectors.joining())
                : x.expandWord(input);
        assertThat(actual).isEqualTo(expected.equals("<empty>") ? "" : expected);
    }
}

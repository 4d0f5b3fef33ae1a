package dev.kiln.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rows of {@code dockerfile/ignore/match.txt}: patterns | path | dir or file | expected. */
class IgnoreMatchTableTest {

    static Stream<Arguments> rows() throws IOException {
        String table;
        try (InputStream in = IgnoreMatchTableTest.class.getResourceAsStream("/dockerfile/ignore/match.txt")) {
            table = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Arguments> rows = new ArrayList<>();
        String[] lines = table.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.startsWith("//")) continue;
            String[] cols = line.split(" \\| ", -1);
            if (cols.length != 4) throw new IllegalStateException("match.txt:" + (i + 1) + ": expected 4 columns: " + line);
            String ignoreFile = String.join("\n", cols[0].split(" ;; ", -1));
            rows.add(Arguments.of(i + 1, ignoreFile, cols[1].strip(), cols[2].strip().equals("dir"), cols[3].strip()));
        }
        assertThat(rows).hasSizeGreaterThanOrEqualTo(60);
        return rows.stream();
    }

    @ParameterizedTest(name = "match.txt:{0} [{1}] {2}")
    @MethodSource("rows")
    void row(int line, String ignoreFile, String path, boolean dir, String expected) {
        IgnoreRules rules = IgnoreRules.parse(ignoreFile);
        String actual = rules.excluded(path, dir) ? "excluded" : "included";
        assertThat(actual).as("match.txt:%d patterns %s path %s", line, rules.patterns(), path).isEqualTo(expected);
    }
}

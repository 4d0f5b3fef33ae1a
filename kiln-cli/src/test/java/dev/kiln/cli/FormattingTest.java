package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.FileChange;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FormattingTest {
    @ParameterizedTest
    @CsvSource({"0,0 B", "999,999 B", "1000,1 KB", "1234,1.23 KB", "1980000,1.98 MB", "1985000,1.99 MB",
            "5600000,5.6 MB", "123456789,123 MB", "1000000000,1 GB", "999999,1000 KB", "7000000000000000,7000 TB"})
    void sizesAsBuildah(long bytes, String expected) {
        assertThat(Humanize.size(bytes)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"0,Less than a second", "1,1 second", "59,59 seconds", "60,About a minute", "119,About a minute",
            "120,2 minutes", "3599,59 minutes", "3600,About an hour", "5399,About an hour", "5400,2 hours",
            "169199,47 hours", "172799,2 days", "172800,2 days", "1207799,13 days", "1209599,2 weeks", "1209600,2 weeks", "5184000,2 months",
            "63072000,2 years"})
    void durationsAsGoUnits(long seconds, String expected) {
        assertThat(Humanize.duration(Duration.ofSeconds(seconds))).isEqualTo(expected);
    }

    @Test
    void agoParsesRfc3339() {
        Instant now = Instant.parse("2025-01-01T00:02:00Z");
        assertThat(Humanize.ago("2025-01-01T00:00:00Z", now)).isEqualTo("2 minutes ago");
        assertThat(Humanize.ago("2025-01-01T00:59:59.500000001+01:00", now)).isEqualTo("2 minutes ago");
        assertThat(Humanize.ago(null, now)).isEmpty();
        assertThat(Humanize.ago("yesterday", now)).isEqualTo("yesterday");
    }

    @ParameterizedTest
    @CsvSource({"localhost/app:latest,localhost/app,latest", "registry:5000/a/b:1.0,registry:5000/a/b,1.0",
            "registry:5000/app,registry:5000/app,<none>", "app@sha256:abc,app,<none>"})
    void repositoryAndTag(String name, String repository, String tag) {
        assertThat(ImageNames.repositoryAndTag(name)).containsExactly(repository, tag);
    }

    @Test
    void diffJsonHasPodmansKeysInOrderWithSortedArrays() {
        List<FileChange> changes = List.of(new FileChange('A', "/b"), new FileChange('C', "/etc"),
                new FileChange('A', "/a \"q\""), new FileChange('C', "/"));
        assertThat(DiffPrinter.json(changes)).isEqualTo("""
                {
                  "changed": [
                    "/",
                    "/etc"
                  ],
                  "added": [
                    "/a \\"q\\"",
                    "/b"
                  ],
                  "deleted": []
                }""");
    }

    @Test
    void diffJsonOfNoChanges() {
        assertThat(DiffPrinter.json(List.of())).isEqualTo("""
                {
                  "changed": [],
                  "added": [],
                  "deleted": []
                }""");
    }

    @Test
    void diffLines() {
        assertThat(DiffPrinter.lines(List.of(new FileChange('A', "/x"), new FileChange('D', "/y"))))
                .containsExactly("A /x", "D /y");
    }

    @Test
    void tableAlignsColumnsTwoSpacesApart() {
        Table table = new Table("REPOSITORY", "TAG", "SIZE");
        table.row("localhost/application", "latest", "1 KB");
        table.row("<none>", "<none>", "2 MB");
        StringWriter out = new StringWriter();
        table.print(new PrintWriter(out, true), true);
        assertThat(out.toString().split("\\R")).containsExactly(
                "REPOSITORY             TAG     SIZE",
                "localhost/application  latest  1 KB",
                "<none>                 <none>  2 MB");
    }

    @Test
    void idsShortenedTo12() {
        assertThat(Ids.shorten("0123456789abcdef")).isEqualTo("0123456789ab");
        assertThat(Ids.shorten("")).isEmpty();
        assertThat(Ids.shorten(null)).isEmpty();
    }
}

package dev.kiln.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.InvalidInputException;
import dev.kiln.testing.Tools;
import dev.kiln.testing.TreeListing;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every breakout attempt of {@link HostileArchives}, applied in both modes, with a sentinel beside the root. */
@Tag("privileged")
class HostileArchivesTest {
    static final Path PARENT = Path.of(System.getProperty("java.io.tmpdir"), "kiln-hostile-" + ProcessHandle.current().pid());
    static final Path OUTSIDE = PARENT.resolve("outside");
    private static final AtomicInteger RUN = new AtomicInteger();

    static Stream<Arguments> cases() {
        return HostileArchives.rows(OUTSIDE).stream()
                .flatMap(r -> Stream.of(Arguments.of(r, LayerApplier.Mode.MERGE), Arguments.of(r, LayerApplier.Mode.OVERLAY)));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("cases")
    void nothingOutsideTheRootIsTouched(HostileArchives.Row row, LayerApplier.Mode mode) throws Exception {
        Tools.requireRoot();
        deleteTree(OUTSIDE);
        Files.createDirectories(PARENT);
        HostileArchives.makeOutside(PARENT);
        Path root = Files.createDirectories(PARENT.resolve("root-" + RUN.incrementAndGet()));
        Map<String, String> before = TreeListing.of(OUTSIDE, Set.of());
        row.prepare().run(root, OUTSIDE);

        if (row.outcome() == HostileArchives.Outcome.REFUSED && row.refusedBeforeWriting()) {
            assertThatThrownBy(() -> LayerApplier.validate(new ByteArrayInputStream(row.archive()), root))
                    .as("validate refuses " + row.name()).isInstanceOf(InvalidInputException.class);
        }
        if (row.outcome() == HostileArchives.Outcome.REFUSED) {
            assertThatThrownBy(() -> LayerApplier.apply(new ByteArrayInputStream(row.archive()), root, mode, null))
                    .as(row.name()).isInstanceOf(InvalidInputException.class).hasMessageNotContaining("Exception");
        } else {
            LayerApplier.apply(new ByteArrayInputStream(row.archive()), root, mode, null);
        }
        assertThat(TreeListing.of(OUTSIDE, Set.of())).as("outside after " + row.name()).isEqualTo(before);
        assertThat(Files.readString(OUTSIDE.resolve("sentinel"))).isEqualTo("do not touch\n");
    }

    @AfterAll
    static void cleanUp() throws IOException {
        deleteTree(PARENT);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}

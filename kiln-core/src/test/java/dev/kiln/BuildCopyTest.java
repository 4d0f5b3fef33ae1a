package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import dev.kiln.testing.TreeListing;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * COPY forms buildah 1.28 rejects, so the differential corpus can only check that they build:
 * here-documents with expansion, {@code --parents}, {@code --link}.
 */
@Tag("privileged")
class BuildCopyTest {
    @TempDir
    Path tmp;

    Kiln kiln;
    Path ctx;

    @BeforeEach
    void busybox() throws Exception {
        Tools.requireRoot();
        Tools.require("runc");
        kiln = Kiln.open(tmp.resolve("store"));
        WorkingContainer ctr = kiln.from("scratch", null);
        ctr.add(List.of(Fixtures.busyboxRootfsTar().toString()), "/", CopyOptions.add());
        ctr.commit("localhost/busybox", new CommitOptions(false, "oci", null, null, true, null));
        ctx = Files.createDirectories(tmp.resolve("ctx"));
    }

    @AfterEach
    void close() {
        if (kiln != null) kiln.close();
    }

    private void build(String dockerfile) throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        kiln.build(BuildRequest.of(ctx).withTags("out").withProgress(new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)));
    }

    /** The built image's tree, busybox's own directories left out. */
    private Map<String, String> tree() throws Exception {
        WorkingContainer c = kiln.from("out", null);
        try {
            Map<String, String> t = new TreeMap<>(TreeListing.of(c.mount(), Set.of()));
            t.keySet().removeIf(p -> p.matches("/(bin|sbin|usr|etc|home|root|tmp|var|linuxrc)(/.*)?"));
            return t;
        } finally {
            c.unmount();
            kiln.removeContainer(c.id());
        }
    }

    private String file(String path) throws Exception {
        WorkingContainer c = kiln.from("out", null);
        try {
            return Files.readString(c.mount().resolve(path.substring(1)));
        } finally {
            c.unmount();
            kiln.removeContainer(c.id());
        }
    }

    @Test
    void copyHeredocsAreExpandedUnlessTheDelimiterIsQuoted() throws Exception {
        build("""
                FROM localhost/busybox
                ARG NAME=kiln
                ENV GREETING=hello
                COPY <<EOF /expanded.sh
                echo "$GREETING ${NAME}" '$NAME' \\$NAME
                EOF
                COPY <<"EOF" /verbatim.sh
                echo "$GREETING ${NAME}"
                EOF
                COPY --chmod=0755 <<-one <<two /both/
                \t$NAME one
                one
                $GREETING two
                two
                """);
        assertThat(file("/expanded.sh")).isEqualTo("echo \"hello kiln\" 'kiln' $NAME\n");
        assertThat(file("/verbatim.sh")).isEqualTo("echo \"$GREETING ${NAME}\"\n");
        assertThat(file("/both/one")).isEqualTo("kiln one\n");
        assertThat(file("/both/two")).isEqualTo("hello two\n");
        assertThat(tree().get("/both/one")).startsWith("file 755 0:0 9 ");
    }

    @Test
    void copyParentsKeepsTheSourcePathsBelowThePivot() throws Exception {
        for (String f : List.of("a/x.txt", "b/y.txt", "src/app/lib/z.txt", "tree/t/u.txt")) {
            Files.createDirectories(ctx.resolve(f).getParent());
            Files.writeString(ctx.resolve(f), f + "\n");
        }
        build("""
                FROM localhost/busybox AS other
                RUN mkdir -p /o/p/q && echo q > /o/p/q/f
                FROM localhost/busybox
                COPY --parents a/x.txt b/*.txt /dst/
                COPY --parents src/./app/lib/z.txt /pivot/
                COPY --parents tree /dirs
                COPY --parents --from=other /o/./p/q /from/
                COPY --link a/x.txt /linked
                """);
        assertThat(tree().keySet()).containsExactly("/dirs", "/dirs/tree", "/dirs/tree/t", "/dirs/tree/t/u.txt", "/dst",
                "/dst/a", "/dst/a/x.txt", "/dst/b", "/dst/b/y.txt", "/from", "/from/p", "/from/p/q", "/from/p/q/f", "/linked",
                "/pivot", "/pivot/app", "/pivot/app/lib", "/pivot/app/lib/z.txt");
        assertThat(file("/dst/b/y.txt")).isEqualTo("b/y.txt\n");
        assertThat(file("/from/p/q/f")).isEqualTo("q\n");
        assertThatThrownBy(() -> build("FROM localhost/busybox\nCOPY --parents nope/x /d/\n")).isInstanceOf(BuildException.class)
                .hasMessageContaining("source \"nope/x\" not found in build context");
    }
}

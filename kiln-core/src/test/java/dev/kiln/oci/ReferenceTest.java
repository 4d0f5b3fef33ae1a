package dev.kiln.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferenceTest {
    private static final String D = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "-", value = {
            // text,                               registry,        repository,          tag,     digest, withDefaults("docker.io")
            "busybox,                              -,               busybox,             -,       -,  docker.io/library/busybox:latest",
            "library/busybox:1.36,                 -,               library/busybox,     1.36,    -,  docker.io/library/busybox:1.36",
            "docker.io/library/busybox,            docker.io,       library/busybox,     -,       -,  docker.io/library/busybox:latest",
            "docker.io/busybox,                    docker.io,       busybox,             -,       -,  docker.io/library/busybox:latest",
            "index.docker.io/busybox,              index.docker.io, busybox,             -,       -,  docker.io/library/busybox:latest",
            "registry:5000/ns/img:tag,             registry:5000,   ns/img,              tag,     -,  registry:5000/ns/img:tag",
            "localhost/foo,                        localhost,       foo,                 -,       -,  localhost/foo:latest",
            "localhost:5000/foo/bar_baz__q--x.y,   localhost:5000,  foo/bar_baz__q--x.y, -,       -,  localhost:5000/foo/bar_baz__q--x.y:latest",
            "quay.io/a/b/c:V1_2.3-rc,              quay.io,         a/b/c,               V1_2.3-rc, -, quay.io/a/b/c:V1_2.3-rc",
            "foo/bar,                              -,               foo/bar,             -,       -,  docker.io/foo/bar:latest",
            "img@" + D + ",                        -,               img,                 -,       " + D + ", docker.io/library/img@" + D,
            "img:tag@" + D + ",                    -,               img,                 tag,     " + D + ", docker.io/library/img:tag@" + D,
            "[::1]:5000/img,                       [::1]:5000,      img,                 -,       -,  [::1]:5000/img:latest",
    })
    void parsesValidReferences(String text, String registry, String repository, String tag, String digest, String defaulted) {
        Reference r = Reference.parse(text);
        assertThat(r.registry()).isEqualTo(registry);
        assertThat(r.hasRegistry()).isEqualTo(registry != null);
        assertThat(r.repository()).isEqualTo(repository);
        assertThat(r.tag()).isEqualTo(tag);
        assertThat(r.digest()).isEqualTo(digest == null ? null : Digest.parse(digest));
        assertThat(r.toString()).isEqualTo(text);
        assertThat(r.withDefaults("docker.io").toString()).isEqualTo(defaulted);
        assertThat(Reference.parse(r.toString())).isEqualTo(r);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                          | empty image reference",
            "Busybox                     | component 'Busybox'",
            "foo/Bar                     | component 'Bar'",
            "busybox:                    | invalid tag ''",
            "busybox:.tag                | invalid tag '.tag'",
            "busybox:-tag                | invalid tag '-tag'",
            "busybox:ta/g                | invalid registry 'busybox:ta'",
            "foo//bar                    | component ''",
            "foo/bar/                    | component ''",
            "/foo                        | component ''",
            "foo_/bar                    | component 'foo_'",
            "foo___bar                   | component 'foo___bar'",
            "-foo                        | component '-foo'",
            "img@sha256:abc              | malformed sha256 digest",
            "img@md5:abc                 | unsupported digest algorithm",
            "img@                        | malformed digest",
            "reg.io:port/img             | invalid registry 'reg.io:port'",
            "-reg.io/img                 | invalid registry '-reg.io'",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | image id",
    })
    void rejectsInvalidReferencesNamingTheText(String text, String message) {
        assertThatThrownBy(() -> Reference.parse(text))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(message)
                .hasMessageContaining(text.isEmpty() ? "empty" : "'" + text + "'");
    }

    @ParameterizedTest
    @CsvSource({"1", "127", "128"})
    void tagLengthIsLimitedTo128(int length) {
        assertThat(Reference.parse("img:" + "t".repeat(length)).tag()).hasSize(length);
    }

    @org.junit.jupiter.api.Test
    void rejectsOverlongTagsAndNames() {
        assertThatThrownBy(() -> Reference.parse("img:" + "t".repeat(129))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Reference.parse("a/".repeat(128) + "b")).hasMessageContaining("longer than 255");
    }

    @org.junit.jupiter.api.Test
    void defaultsKeepWhatWasWritten() {
        Reference r = Reference.parse("quay.io/ns/img@" + D).withDefaults("docker.io");
        assertThat(r.tag()).isNull();
        assertThat(r.registry()).isEqualTo("quay.io");
        assertThat(Reference.parse("img").withDefaults("registry.example:5000").toString())
                .isEqualTo("registry.example:5000/img:latest");
    }
}

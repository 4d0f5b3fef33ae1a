package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.Platform;
import java.util.List;
import org.junit.jupiter.api.Test;

/** buildah's rules for each {@code config} flag, as pure logic. */
class ConfigEditorTest {
    private static final ImageConfig EMPTY = ImageConfig.empty(Platform.of("linux", "amd64", null));

    private static ConfigChange env(String... kv) {
        return new ConfigChange(List.of(kv), null, null, null, null, List.of(), List.of(), List.of(), List.of(),
                null, null, null, null, null, null, null, null, null, null, null, List.of());
    }

    @Test
    void envAddsReplacesExpandsAndRemoves() {
        ImageConfig c = ConfigEditor.apply(EMPTY, env("A=1", "PATH=/bin", "B=$A:${PATH}"));
        assertThat(c.config().env()).containsExactly("A=1", "PATH=/bin", "B=1:/bin");
        c = ConfigEditor.apply(c, env("A=2", "PATH-"));
        assertThat(c.config().env()).containsExactly("A=2", "B=1:/bin");
        assertThatThrownBy(() -> ConfigEditor.apply(EMPTY, env("=x"))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("KEY=VALUE");
    }

    @Test
    void cmdIsJsonOrShellWordsAndEntrypointIsJsonOrShC() {
        assertThat(ConfigEditor.parseCmd("[\"/bin/sh\",\"-c\",\"echo hi\"]")).containsExactly("/bin/sh", "-c", "echo hi");
        assertThat(ConfigEditor.parseCmd("cat '/a b' \"c d\" e\\ f")).containsExactly("cat", "/a b", "c d", "e f");
        assertThat(ConfigEditor.parseEntrypoint("nginx -g 'daemon off;'")).containsExactly("/bin/sh", "-c", "nginx -g 'daemon off;'");
        assertThatThrownBy(() -> ConfigEditor.parseCmd("[\"a\", 1]")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> ConfigEditor.parseCmd("echo 'open")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unterminated");
    }

    @Test
    void portsVolumesLabelsAndHealthcheck() {
        ConfigChange ch = new ConfigChange(List.of(), "", null, "/app", "nobody", List.of("a=1", "b=2"), List.of(),
                List.of("80", "53/udp"), List.of("/data"), "SIGTERM", "me", null, null, "arm64", "[\"/bin/bash\",\"-c\"]",
                "CMD curl -f http://localhost/", "30s", "1m30s", "500ms", 3, List.of("RUN echo hi"));
        ImageConfig c = ConfigEditor.apply(EMPTY, ch);
        assertThat(c.config().exposedPorts()).containsExactlyInAnyOrder("80/tcp", "53/udp");
        assertThat(c.config().volumes()).containsExactly("/data");
        assertThat(c.config().labels()).containsEntry("a", "1").containsEntry("b", "2");
        assertThat(c.config().workingDir()).isEqualTo("/app");
        assertThat(c.config().user()).isEqualTo("nobody");
        assertThat(c.config().stopSignal()).isEqualTo("SIGTERM");
        assertThat(c.config().shell()).containsExactly("/bin/bash", "-c");
        assertThat(c.config().onBuild()).containsExactly("RUN echo hi");
        assertThat(c.config().healthcheck().test()).containsExactly("CMD", "curl", "-f", "http://localhost/");
        assertThat(c.config().healthcheck().intervalNanos()).isEqualTo(30_000_000_000L);
        assertThat(c.config().healthcheck().timeoutNanos()).isEqualTo(90_000_000_000L);
        assertThat(c.config().healthcheck().startPeriodNanos()).isEqualTo(500_000_000L);
        assertThat(c.config().healthcheck().retries()).isEqualTo(3);
        assertThat(c.author()).isEqualTo("me");
        assertThat(c.architecture()).isEqualTo("arm64");
        ConfigChange remove = new ConfigChange(List.of(), null, null, null, null, List.of("a-"), List.of(),
                List.of("80-"), List.of("/data-"), null, null, null, null, null, null, null, null, null, null, null, List.of());
        ImageConfig d = ConfigEditor.apply(c, remove);
        assertThat(d.config().labels()).containsOnlyKeys("b");
        assertThat(d.config().exposedPorts()).containsExactly("53/udp");
        assertThat(d.config().volumes()).isEmpty();
        assertThatThrownBy(() -> ConfigEditor.duration("30 seconds")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> ConfigEditor.apply(EMPTY, new ConfigChange(List.of(), null, null, null, null, List.of(),
                List.of(), List.of("http"), List.of(), null, null, null, null, null, null, null, null, null, null, null, List.of())))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("--port");
    }

    @Test
    void shortNamesNormaliseAsBuildahStoresThem() {
        assertThat(LocalImages.normalize("app")).isEqualTo("localhost/app:latest");
        assertThat(LocalImages.normalize("app:1.0")).isEqualTo("localhost/app:1.0");
        assertThat(LocalImages.normalize("quay.io/ns/app")).isEqualTo("quay.io/ns/app:latest");
        assertThat(LocalImages.candidates("busybox")).containsExactly("localhost/busybox:latest", "docker.io/library/busybox:latest");
    }
}

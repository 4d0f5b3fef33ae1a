package dev.kiln.oci;

import static dev.kiln.oci.Fixtures.digest;
import static dev.kiln.oci.Fixtures.read;
import static dev.kiln.oci.Fixtures.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageConfigTest {

    @Test
    void busyboxDockerConfigIsRead() {
        ImageConfig c = ImageConfig.parse(read("busybox-docker-config.json"));

        assertThat(c.platform().toString()).isEqualTo("linux/amd64");
        assertThat(c.created()).isEqualTo("2023-07-18T23:19:33.655005962Z");
        assertThat(c.config().cmd()).containsExactly("sh");
        assertThat(c.config().entrypoint()).isEmpty();
        assertThat(c.config().user()).isNull();
        assertThat(c.config().envValue("PATH")).contains("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        assertThat(c.config().envValue("HOME")).isEmpty();
        assertThat(c.config().exposedPorts()).containsExactly("443/tcp", "80/tcp");
        assertThat(c.config().healthcheck()).isEqualTo(new HealthCheck(
                List.of("CMD-SHELL", "wget -q -O- localhost || exit 1"), 30_000_000_000L, 5_000_000_000L, 0, 0, 3));
        assertThat(c.rootfs().diffIds()).hasSize(1);
        assertThat(c.history()).extracting(History::emptyLayer).containsExactly(false, true);
    }

    @Test
    void unknownFieldsSurviveAReadWriteCycle() {
        ImageConfig c = ImageConfig.parse(read("busybox-docker-config.json"));
        JsonNode written = tree(c.toJson());

        assertThat(c.extra()).containsOnlyKeys("container", "container_config", "docker_version");
        assertThat(written.get("docker_version").asText()).isEqualTo("20.10.23");
        assertThat(written.get("container_config")).isEqualTo(tree(read("busybox-docker-config.json")).get("container_config"));
        assertThat(written.get("config").get("Image").asText()).startsWith("sha256:7dfd");
        assertThat(written.get("config").get("AttachStdin").asBoolean(true)).isFalse();
        assertThat(written.get("config").get("ExposedPorts").get("80/tcp").isEmpty()).isTrue();
        assertThat(written.get("history").get(1).get("empty_layer").asBoolean()).isTrue();
        assertThat(written.get("history").get(0).has("empty_layer")).isFalse();
        assertThat(ImageConfig.parse(c.toJson())).isEqualTo(c);
    }

    @Test
    void labelsAreWrittenSortedAndKnownFieldsBeforeUnknownOnes() {
        ImageConfig c = ImageConfig.parse(read("busybox-docker-config.json"));
        String json = new String(c.config().toJson(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"Labels\":{\"a.first\":\"yes\",\"maintainer\":\"someone\"}");
        assertThat(json.indexOf("\"Shell\"")).isEqualTo(-1);
        assertThat(json.indexOf("\"Labels\"")).isLessThan(json.indexOf("\"Hostname\""));
    }

    @Test
    void scratchConfigIsEmpty() {
        ImageConfig c = ImageConfig.empty(Platform.parse("linux/arm64/v8"));
        assertThat(new String(c.toJson(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\",\"config\":{},"
                        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        assertThat(ImageConfig.parse(c.toJson())).isEqualTo(c);
        assertThat(c.platform()).isEqualTo(Platform.parse("linux/arm64/v8"));
    }

    @Test
    void helpersBuildTheNextImage() {
        ImageConfig base = ImageConfig.empty(Platform.parse("linux/amd64"));
        ImageConfig next = base
                .withAddedLayer(digest('1'), new History("2024-01-01T00:00:00Z", "COPY . /", null, null, false))
                .withHistory(new History(null, "CMD [\"sh\"]", null, null, true))
                .withConfig(base.config().withCmd(List.of("sh")).withEnvValue("A", "1").withEnvValue("A", "2")
                        .withLabels(Map.of("k", "v")).withExposedPorts(Set.of("8080/tcp")).withUser("1000")
                        .withWorkingDir("/app").withVolumes(Set.of("/data")).withStopSignal("SIGTERM")
                        .withEntrypoint(List.of("/init")))
                .withCreated(Instant.parse("2024-01-02T03:04:05Z"));

        assertThat(next.rootfs().diffIds()).containsExactly(digest('1'));
        assertThat(next.history()).hasSize(2);
        assertThat(next.created()).isEqualTo("2024-01-02T03:04:05Z");
        assertThat(next.config().env()).containsExactly("A=2");
        assertThat(base.rootfs().diffIds()).isEmpty();
        assertThat(ImageConfig.parse(next.toJson())).isEqualTo(next);
        assertThatThrownBy(() -> base.withAddedLayer(digest('2'), new History(null, null, null, null, true)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dockerOnlyFieldsCanBeDropped() {
        ContainerConfig docker = ContainerConfig.empty().withCmd(List.of("sh"))
                .withHealthcheck(new HealthCheck(List.of("NONE"), 0, 0, 0, 0, 0))
                .withOnBuild(List.of("RUN make")).withShell(List.of("/bin/bash", "-c"));
        ContainerConfig oci = docker.withoutDockerOnlyFields();
        assertThat(new String(oci.toJson(), StandardCharsets.UTF_8)).isEqualTo("{\"Cmd\":[\"sh\"]}");
        assertThat(ContainerConfig.parse(docker.toJson())).isEqualTo(docker);
    }
}

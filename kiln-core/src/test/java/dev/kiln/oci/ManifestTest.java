package dev.kiln.oci;

import static dev.kiln.oci.Fixtures.digest;
import static dev.kiln.oci.Fixtures.read;
import static dev.kiln.oci.Fixtures.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestTest {

    @Test
    void ociManifestIsReadAndWrittenBackByteForByte() {
        byte[] original = read("oci-manifest.json");
        Manifest m = Manifest.parse(original);

        assertThat(m.isDocker()).isFalse();
        assertThat(m.config().mediaType()).isEqualTo(MediaType.OCI_CONFIG);
        assertThat(m.config().size()).isEqualTo(7023);
        assertThat(m.layers()).extracting(Descriptor::mediaType)
                .containsExactly(MediaType.OCI_LAYER_GZIP, MediaType.OCI_LAYER_GZIP, MediaType.OCI_LAYER_ZSTD);
        assertThat(m.layers().get(1).annotation("org.example.layer")).contains("two");
        assertThat(m.layers().get(0).annotation("org.example.layer")).isEmpty();
        assertThat(m.subject().size()).isEqualTo(7682);
        assertThat(m.annotations()).containsEntry("com.example.key1", "value1");
        assertThat(m.extra()).containsOnlyKeys("com.example.unknown");

        assertThat(new String(m.toJson(), StandardCharsets.UTF_8)).isEqualTo(Fixtures.text("oci-manifest.json"));
        assertThat(Manifest.parse(m.toJson())).isEqualTo(m);
    }

    @Test
    void dockerManifestRoundTripsAndConvertsToOciAndBack() {
        byte[] original = read("docker-manifest.json");
        Manifest m = Manifest.parse(original);

        assertThat(m.isDocker()).isTrue();
        assertThat(tree(m.toJson())).isEqualTo(tree(original));
        assertThat(Manifest.parse(m.toJson())).isEqualTo(m);

        Manifest oci = m.toOci();
        assertThat(oci.isDocker()).isFalse();
        assertThat(oci.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
        assertThat(oci.config().mediaType()).isEqualTo(MediaType.OCI_CONFIG);
        assertThat(oci.layers().getFirst().mediaType()).isEqualTo(MediaType.OCI_LAYER_GZIP);
        assertThat(oci.layers().getFirst().digest()).isEqualTo(m.layers().getFirst().digest());
        assertThat(oci.toDocker()).isEqualTo(m);
    }

    @Test
    void toDockerMapsEveryLayerCompression() {
        Manifest oci = Manifest.of(Descriptor.of(MediaType.OCI_CONFIG, digest('c'), 2), List.of(
                Descriptor.of(MediaType.OCI_LAYER, digest('1'), 10),
                Descriptor.of(MediaType.OCI_LAYER_GZIP, digest('2'), 20),
                Descriptor.of(MediaType.OCI_LAYER_ZSTD, digest('3'), 30)));

        Manifest docker = oci.toDocker();

        assertThat(docker.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
        assertThat(docker.config().mediaType()).isEqualTo(MediaType.DOCKER_CONFIG);
        assertThat(docker.layers()).extracting(Descriptor::mediaType).containsExactly(
                MediaType.DOCKER_LAYER, MediaType.DOCKER_LAYER_GZIP, MediaType.DOCKER_LAYER_ZSTD);
        assertThat(docker.toOci()).isEqualTo(oci);
    }

    @Test
    void toDockerRefusesAnArtifactLayerItCannotExpress() {
        Manifest artifact = Manifest.of(Descriptor.of(MediaType.OCI_CONFIG, digest('c'), 2),
                List.of(Descriptor.of("application/vnd.example.sbom+json", digest('1'), 10)));
        assertThatThrownBy(artifact::toDocker).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("application/vnd.example.sbom+json");
    }

    @Test
    void emptyLayersAreWrittenAsAnEmptyArray() {
        Manifest m = Manifest.of(Descriptor.of(MediaType.OCI_CONFIG, digest('c'), 2), List.of());
        assertThat(new String(m.toJson(), StandardCharsets.UTF_8)).contains("\"layers\":[]");
        assertThat(Manifest.parse(m.toJson())).isEqualTo(m);
    }

    @Test
    void annotationsAreWrittenSortedByKey() {
        Manifest m = Manifest.of(Descriptor.of(MediaType.OCI_CONFIG, digest('c'), 2), List.of())
                .withAnnotations(Map.of("z", "1", "a", "2", "m", "3"));
        assertThat(new String(m.toJson(), StandardCharsets.UTF_8)).endsWith("\"annotations\":{\"a\":\"2\",\"m\":\"3\",\"z\":\"1\"}}");
    }

    @Test
    void recordsAreImmutable() {
        Manifest m = Manifest.parse(read("oci-manifest.json"));
        assertThatThrownBy(() -> m.layers().add(m.config())).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> m.annotations().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        ((com.fasterxml.jackson.databind.node.ObjectNode) m.extra().get("com.example.unknown")).put("mutated", true);
        assertThat(m.extra().get("com.example.unknown").has("mutated")).isFalse();
    }

    @Test
    void descriptorHelpersReturnChangedCopies() {
        Descriptor d = Descriptor.of(MediaType.OCI_MANIFEST, digest('a'), 5);
        Descriptor changed = d.withAnnotation("k", "v").withPlatform(Platform.parse("linux/arm64/v8"))
                .withMediaType(MediaType.DOCKER_MANIFEST);
        assertThat(d.annotations()).isEmpty();
        assertThat(changed.annotation("k")).contains("v");
        assertThat(changed.platform().toString()).isEqualTo("linux/arm64/v8");
        assertThat(Descriptor.parse(changed.toJson())).isEqualTo(changed);
        assertThatThrownBy(() -> Descriptor.of(MediaType.OCI_LAYER, digest('a'), -1))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("negative");
    }
}

package dev.kiln.oci;

import static dev.kiln.oci.Fixtures.read;
import static dev.kiln.oci.Fixtures.tree;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class IndexTest {

    @Test
    void dockerManifestListKeepsPlatforms() {
        byte[] original = read("docker-manifest-list.json");
        Index index = Index.parse(original);

        assertThat(index.isDocker()).isTrue();
        assertThat(index.manifests()).extracting(d -> d.platform().toString())
                .containsExactly("linux/amd64", "linux/arm64/v8", "windows/amd64");
        Platform windows = index.manifests().get(2).platform();
        assertThat(windows.osVersion()).isEqualTo("10.0.17763.5329");
        assertThat(windows.osFeatures()).containsExactly("win32k");
        assertThat(tree(index.toJson())).isEqualTo(tree(original));
        assertThat(Index.parse(index.toJson())).isEqualTo(index);
    }

    @Test
    void ociIndexKeepsUnknownFieldsAndAnnotations() {
        byte[] original = read("oci-index.json");
        Index index = Index.parse(original);

        assertThat(index.extra()).containsOnlyKeys("subject");
        assertThat(index.manifests().get(1).extra()).containsOnlyKeys("data");
        assertThat(index.manifests().getFirst().annotation("org.opencontainers.image.ref.name")).contains("busybox:latest");
        assertThat(tree(index.toJson())).isEqualTo(tree(original));
        assertThat(Index.parse(index.toJson())).isEqualTo(index);
        assertThat(new String(index.toJson(), StandardCharsets.UTF_8))
                .contains("\"annotations\":{\"com.example.a\":\"1\",\"com.example.b\":\"2\"}");
    }

    @Test
    void withManifestsReplacesTheListOnly() {
        Index index = Index.parse(read("oci-index.json"));
        Index one = index.withManifests(List.of(index.manifests().get(1)));
        assertThat(one.manifests()).hasSize(1);
        assertThat(one.annotations()).isEqualTo(index.annotations());
        assertThat(new String(Index.of(List.of()).toJson(), StandardCharsets.UTF_8))
                .isEqualTo("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}");
    }
}

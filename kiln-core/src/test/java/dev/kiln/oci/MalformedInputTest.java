package dev.kiln.oci;

import static dev.kiln.oci.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MalformedInputTest {
    private static final String CONFIG = "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
            + "\"digest\":\"sha256:" + "c".repeat(64) + "\",\"size\":2}";
    private static final Function<byte[], Object> MANIFEST = Manifest::parse;
    private static final Function<byte[], Object> INDEX = Index::parse;
    private static final Function<byte[], Object> IMAGE_CONFIG = ImageConfig::parse;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("truncated", MANIFEST, "{\"schemaVersion\":2,\"config\":", "malformed JSON"),
                Arguments.of("not an object", MANIFEST, "[1,2]", "expected an object"),
                Arguments.of("empty", MANIFEST, "", "empty document"),
                Arguments.of("trailing garbage", MANIFEST, "{\"schemaVersion\":2,\"config\":" + CONFIG + ",\"layers\":[]} x", "malformed JSON"),
                Arguments.of("duplicate key", MANIFEST, "{\"schemaVersion\":2,\"schemaVersion\":2}", "Duplicate field"),
                Arguments.of("no config", MANIFEST, "{\"schemaVersion\":2,\"layers\":[]}", "manifest.config: required field is missing"),
                Arguments.of("schema 1", MANIFEST, "{\"schemaVersion\":1}", "schemaVersion 1"),
                Arguments.of("schemaVersion a string", MANIFEST, "{\"schemaVersion\":\"2\"}", "manifest.schemaVersion: expected an integer"),
                Arguments.of("layer without digest", MANIFEST, "{\"schemaVersion\":2,\"config\":" + CONFIG
                        + ",\"layers\":[" + CONFIG + ",{\"mediaType\":\"x\",\"size\":1}]}", "manifest.layers[1].digest: required field is missing"),
                Arguments.of("bad digest", MANIFEST, "{\"schemaVersion\":2,\"config\":" + CONFIG.replace("sha256:c", "sha256:X")
                        + ",\"layers\":[]}", "manifest.config.digest"),
                Arguments.of("size a string", MANIFEST, "{\"schemaVersion\":2,\"config\":" + CONFIG.replace("\"size\":2", "\"size\":\"2\"")
                        + ",\"layers\":[]}", "manifest.config.size: expected an integer"),
                Arguments.of("negative size", MANIFEST, "{\"schemaVersion\":2,\"config\":" + CONFIG.replace("\"size\":2", "\"size\":-2")
                        + ",\"layers\":[]}", "negative"),
                Arguments.of("layers an object", MANIFEST, "{\"schemaVersion\":2,\"config\":" + CONFIG + ",\"layers\":{}}", "manifest.layers: expected an array"),
                Arguments.of("annotation not a string", MANIFEST, "{\"schemaVersion\":2,\"config\":" + CONFIG
                        + ",\"layers\":[],\"annotations\":{\"a\":1}}", "manifest.annotations.a: expected a string"),
                Arguments.of("index without manifests", INDEX, "{\"schemaVersion\":2}", "index.manifests: required field is missing"),
                Arguments.of("platform without os", INDEX, "{\"schemaVersion\":2,\"manifests\":[" + CONFIG.replace("}", ",\"platform\":{\"architecture\":\"amd64\"}}")
                        + "]}", "index.manifests[0].platform.os"),
                Arguments.of("config without rootfs", IMAGE_CONFIG, "{\"architecture\":\"amd64\",\"os\":\"linux\"}", "rootfs: required field is missing"),
                Arguments.of("config without os", IMAGE_CONFIG, "{\"architecture\":\"amd64\",\"rootfs\":{\"type\":\"layers\"}}", "image config.os"),
                Arguments.of("bad diff id", IMAGE_CONFIG, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"md5:00\"]}}",
                        "rootfs.diff_ids[0]: unsupported digest algorithm 'md5'"),
                Arguments.of("Env not a list", IMAGE_CONFIG, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"},\"config\":{\"Env\":\"A=1\"}}",
                        "config.Env: expected an array"),
                Arguments.of("empty_layer a string", IMAGE_CONFIG, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"},\"history\":[{\"empty_layer\":\"yes\"}]}",
                        "history[0].empty_layer: expected a boolean"),
                Arguments.of("negative retries", IMAGE_CONFIG, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"},\"config\":{\"Healthcheck\":{\"Retries\":-1}}}",
                        "Healthcheck: health check retries must not be negative"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRejectedWithAClearMessage(String name, Function<byte[], Object> parser, String json, String message) {
        assertThatThrownBy(() -> parser.apply(utf8(json)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(message);
    }
}

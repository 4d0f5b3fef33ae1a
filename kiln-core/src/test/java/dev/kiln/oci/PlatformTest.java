package dev.kiln.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformTest {

    @Test
    void parsesOsArchAndVariant() {
        Platform p = Platform.parse("linux/arm64/v8");
        assertThat(p.os()).isEqualTo("linux");
        assertThat(p.architecture()).isEqualTo("arm64");
        assertThat(p.variant()).isEqualTo("v8");
        assertThat(p.toString()).isEqualTo("linux/arm64/v8");
        assertThat(Platform.parse("linux/amd64").variant()).isNull();
        assertThat(Platform.parse("linux/amd64").toString()).isEqualTo("linux/amd64");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "linux", "linux/", "/amd64", "linux/amd64/v8/extra", "Linux/amd64", "linux/amd 64"})
    void rejectsMalformedPlatforms(String text) {
        assertThatThrownBy(() -> Platform.parse(text)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            "amd64, amd64, -", "x86_64, amd64, -", "aarch64, arm64, v8", "arm, arm, v7", "x86, 386, -",
            "ppc64le, ppc64le, -", "s390x, s390x, -", "riscv64, riscv64, -"})
    void mapsJavaArchitecturesToOciNames(String javaArch, String arch, String variant) {
        assertThat(Platform.hostArch(javaArch)).isEqualTo(arch);
        assertThat(Platform.hostVariant(javaArch)).isEqualTo(variant);
    }

    @Test
    void hostIsTheMachineKilnRunsOn() {
        Platform host = Platform.host();
        assertThat(host.os()).isEqualTo(Platform.hostOs(System.getProperty("os.name")));
        assertThat(host.architecture()).isEqualTo(Platform.hostArch(System.getProperty("os.arch")));
        if (System.getProperty("os.name").equals("Linux")) assertThat(host.os()).isEqualTo("linux");
        if (System.getProperty("os.arch").equals("amd64")) assertThat(host.toString()).isEqualTo("linux/amd64");
    }

    @Test
    void jsonRoundTripKeepsWindowsFields() {
        byte[] json = Fixtures.utf8("{\"architecture\":\"amd64\",\"os\":\"windows\",\"os.version\":\"10.0.1\",\"os.features\":[\"win32k\"]}");
        Platform p = Platform.parse(json);
        assertThat(p.osFeatures()).containsExactly("win32k");
        assertThat(p.toJson()).isEqualTo(json);
    }
}

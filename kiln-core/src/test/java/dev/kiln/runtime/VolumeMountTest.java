package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.InvalidInputException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class VolumeMountTest {
    @Test
    void parsesHostContainerAndMode() {
        assertThat(RunSpec.parseVolume("/srv/data:/data")).isEqualTo(new VolumeMount(Path.of("/srv/data"), "/data", false));
        assertThat(RunSpec.parseVolume("/srv/data:/data:ro").readOnly()).isTrue();
        assertThat(RunSpec.parseVolume("/srv/data:/data:rw").readOnly()).isFalse();
    }

    @Test
    void rejectsMalformedSpecsWithTheReason() {
        assertThatThrownBy(() -> RunSpec.parseVolume("/srv")).isInstanceOf(InvalidInputException.class).hasMessageContaining("HOST:CONTAINER");
        assertThatThrownBy(() -> RunSpec.parseVolume("data:/data")).hasMessageContaining("absolute");
        assertThatThrownBy(() -> RunSpec.parseVolume("/srv:data")).hasMessageContaining("container path must be absolute");
        assertThatThrownBy(() -> RunSpec.parseVolume("/srv:/data:rx")).hasMessageContaining("'ro' or 'rw'");
        assertThatThrownBy(() -> RunSpec.parseVolume("/a:/b:ro:x")).hasMessageContaining("HOST:CONTAINER");
    }
}

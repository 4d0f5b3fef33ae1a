package dev.kiln.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.InvalidInputException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the build executor relies on besides the data cases. */
class DockerfileApiTest {
    private static final String TEXT = """
            ARG BASE=alpine
            FROM ${BASE} AS Build
            ENV DIR=/src
            WORKDIR ${DIR:?DIR must be set}/app
            RUN echo $DIR
            FROM scratch
            COPY --from=build /src /src
            """;

    @Test
    void stagesByNameOrIndexAndTheTextOfAnInstruction() {
        Dockerfile d = DockerfileParser.parse(TEXT, "Containerfile");
        assertThat(d.stage("BUILD").index()).isZero();
        assertThat(d.stage("1").from().image()).isEqualTo("scratch");
        assertThat(d.stage("nope")).isNull();
        assertThat(d.stage("7")).isNull();
        Instruction run = d.stage("build").instructions().get(2);
        assertThat(run).isInstanceOf(Instruction.Run.class);
        assertThat(d.text(run.pos())).isEqualTo("RUN echo $DIR");
        assertThat(d.nodes()).hasSize(7);
        assertThat(d.globalArgs()).hasSize(1);
    }

    @Test
    void expansionErrorsGetTheInstructionsLocation() {
        Dockerfile d = DockerfileParser.parse(TEXT, "Containerfile");
        Instruction.Workdir w = (Instruction.Workdir) d.stage("build").instructions().get(1);
        Expander x = new Expander(Map.of(), d.escape());
        assertThat(Expander.expands(w)).isTrue();
        assertThatThrownBy(() -> {
            try {
                x.expandWord(w.path());
            } catch (DockerfileException e) {
                assertThat(e.line()).isZero();
                throw d.locate(e, w.pos());
            }
        }).isInstanceOf(InvalidInputException.class)
                .hasMessage("Containerfile:4:1: DIR: DIR must be set\n    WORKDIR ${DIR:?DIR must be set}/app");
        assertThat(new Expander(Map.of("DIR", "/s"), '\\').expandWord(w.path())).isEqualTo("/s/app");
    }

    @Test
    void errorCarriesItsParts() {
        DockerfileException e = org.junit.jupiter.api.Assertions.assertThrows(DockerfileException.class,
                () -> DockerfileParser.parse("FROM a\n\n  RUNN x\n", "Dockerfile"));
        assertThat(e.fileName()).isEqualTo("Dockerfile");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.column()).isEqualTo(3);
        assertThat(e.sourceLine()).isEqualTo("  RUNN x");
        assertThat(e.reason()).isEqualTo("unknown instruction \"RUNN\" (did you mean RUN?)");
        assertThat(e.getMessage().lines()).hasSize(2);
    }

    @Test
    void whichInstructionsExpand() {
        Dockerfile d = DockerfileParser.parse("FROM a\nRUN x\nCMD y\nENTRYPOINT z\nONBUILD COPY a b\nUSER u\n", null);
        assertThat(d.stages().getFirst().instructions().stream().map(Expander::expands))
                .containsExactly(false, false, false, false, true);
        assertThat(Expander.expands(d.stages().getFirst().from())).isTrue();
    }
}

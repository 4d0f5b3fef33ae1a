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
            COPY --from=Build /src /src
            """;

    @Test
    void stagesByNameOrIndexAndTheTextOfAnInstruction() {
        Dockerfile d = DockerfileParser.parse(TEXT, "Containerfile");
        assertThat(d.stage("Build").index()).isZero();
        assertThat(d.stage("build")).as("stage names are case-sensitive, as buildah matches them").isNull();
        assertThat(d.stage("1").from().image()).isEqualTo("scratch");
        assertThat(d.stage("nope")).isNull();
        assertThat(d.stage("7")).isNull();
        Instruction run = d.stage("Build").instructions().get(2);
        assertThat(run).isInstanceOf(Instruction.Run.class);
        assertThat(d.text(run.pos())).isEqualTo("RUN echo $DIR");
        assertThat(d.nodes()).hasSize(7);
        assertThat(d.globalArgs()).hasSize(1);
    }

    @Test
    void expansionErrorsGetTheInstructionsLocation() {
        Dockerfile d = DockerfileParser.parse(TEXT, "Containerfile");
        Instruction.Workdir w = (Instruction.Workdir) d.stage("Build").instructions().get(1);
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

    @Test
    void onbuildTriggersFromAnImageConfigParseAsTheInstructionTheyName() {
        Instruction i = DockerfileParser.parseTrigger("COPY --chown=1:1 a b /dst/", "ONBUILD");
        assertThat(i).isInstanceOfSatisfying(Instruction.Copy.class, c -> {
            assertThat(c.sources()).containsExactly("a", "b");
            assertThat(c.chown()).isEqualTo("1:1");
        });
        assertThat(DockerfileParser.parseTrigger("RUN [\"echo\", \"$HOME\"]", "ONBUILD")).isInstanceOf(Instruction.Run.class);
        assertThatThrownBy(() -> DockerfileParser.parseTrigger("ONBUILD RUN x", "ONBUILD")).hasMessageContaining("chaining ONBUILD");
        assertThatThrownBy(() -> DockerfileParser.parseTrigger("MAINTAINER me", "ONBUILD"))
                .hasMessageContaining("MAINTAINER isn't allowed as an ONBUILD trigger");
        assertThatThrownBy(() -> DockerfileParser.parseTrigger("RUN a\nRUN b", "ONBUILD")).hasMessageContaining("one line");
    }

    @Test
    void runMountOptionsParseAsBuildKitDoes() {
        RunMount b = RunMount.parse("target=/src,source=\"a,b\",ro=false", w -> w);
        assertThat(b).isEqualTo(new RunMount(RunMount.Type.BIND, "/src", "a,b", null, false, null, RunMount.Sharing.SHARED, null,
                null, null, 0));
        assertThat(RunMount.parse("type=bind,dst=/x", w -> w).readOnly()).isTrue();
        RunMount c = RunMount.parse("type=cache,target=$T,id=go,sharing=locked,mode=0700,uid=33,gid=100,readonly", w -> w.replace("$T", "/c"));
        assertThat(c).isEqualTo(new RunMount(RunMount.Type.CACHE, "/c", null, null, true, "go", RunMount.Sharing.LOCKED, 0700, 33,
                100, 0));
        assertThat(RunMount.parse("type=cache,target=/c", w -> w).cacheId()).isEqualTo("/c");
        assertThat(RunMount.parse("type=tmpfs,target=/t,size=64m", w -> w).size()).isEqualTo(64L << 20);
        assertThatThrownBy(() -> RunMount.parse("type=cache", w -> w)).hasMessageContaining("a target is required");
        assertThatThrownBy(() -> RunMount.parse("type=volume,target=/v", w -> w)).hasMessageContaining("unknown type 'volume'");
        assertThatThrownBy(() -> RunMount.parse("type=cache,target=/c,mode=rwx", w -> w)).hasMessageContaining("mode must be octal");
        assertThatThrownBy(() -> RunMount.parse("target=\"/x", w -> w)).hasMessageContaining("unterminated quote");
    }

    @Test
    void copyHeredocBodiesExpandVariablesButKeepQuotesAsBuildKitDoes() {
        Expander x = new Expander(Map.of("NAME", "kiln", "EMPTY", ""), '`');
        assertThat(x.expandHeredoc("echo \"hi $NAME\" 'it''s ${NAME}'\n  ${EMPTY:-dflt} \\$NAME \\\\ $\n"))
                .isEqualTo("echo \"hi kiln\" 'it''s kiln'\n  dflt $NAME \\ $\n");
        assertThat(x.expandHeredoc("don't stop\n")).isEqualTo("don't stop\n");
        assertThatThrownBy(() -> x.expandHeredoc("${NAME")).isInstanceOf(DockerfileException.class);
    }
}

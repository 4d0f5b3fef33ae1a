package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.CommitOptions;
import dev.kiln.ConfigChange;
import dev.kiln.CopyOptions;
import dev.kiln.PushOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Flags → the facade's option records, without a store. */
class OptionMappingTest {
    private static <T> T parse(T command, String... args) {
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void configFlagsBecomeOneConfigChange() {
        ConfigCommand config = parse(new ConfigCommand(), "-e", "A=1", "--env", "B-", "--cmd", "[\"/bin/sh\"]",
                "--entrypoint", "", "--workingdir", "/app", "-u", "1000:1000", "-l", "l=1", "-a", "a=2",
                "-p", "80/tcp", "--port", "53/udp", "-v", "/data", "--stop-signal", "SIGINT", "--author", "me",
                "--created-by", "hand", "--os", "linux", "--arch", "arm64", "--shell", "[\"/bin/bash\",\"-c\"]",
                "--healthcheck", "CMD-SHELL true", "--healthcheck-interval", "30s", "--healthcheck-timeout", "5s",
                "--healthcheck-start-period", "1s", "--healthcheck-retries", "3", "--onbuild", "RUN a",
                "--onbuild", "RUN b", "ctr");
        assertThat(config.container).isEqualTo("ctr");
        assertThat(config.change()).isEqualTo(new ConfigChange(List.of("A=1", "B-"), "[\"/bin/sh\"]", "", "/app",
                "1000:1000", List.of("l=1"), List.of("a=2"), List.of("80/tcp", "53/udp"), List.of("/data"),
                "SIGINT", "me", "hand", "linux", "arm64", "[\"/bin/bash\",\"-c\"]", "CMD-SHELL true", "30s", "5s",
                "1s", 3, List.of("RUN a", "RUN b")));
    }

    @Test
    void configWithoutFlagsChangesNothing() {
        assertThat(parse(new ConfigCommand(), "ctr").change()).isEqualTo(ConfigChange.none());
    }

    @Test
    void commitDefaultsAreBuildahs() {
        CommitCommand commit = parse(new CommitCommand(), "ctr");
        assertThat(commit.options(null)).isEqualTo(new CommitOptions(false, "oci", null, "none", false, null));
        assertThat(commit.imageName).isNull();
    }

    @Test
    void commitFlags() {
        CommitCommand commit = parse(new CommitCommand(), "--squash", "--rm", "-f", "v2s2", "--timestamp", "7",
                "--compression-format", "zstd", "-q", "ctr", "app:1");
        assertThat(commit.options("99")).isEqualTo(new CommitOptions(true, "docker", 7L, "zstd", true, null));
        assertThat(commit.imageName).isEqualTo("app:1");
        assertThat(parse(new CommitCommand(), "--disable-compression=false", "ctr").options(null).compression())
                .isEqualTo("gzip");
        assertThat(parse(new CommitCommand(), "--format", "docker", "ctr").options(null).format()).isEqualTo("docker");
    }

    @Test
    void sourceDateEpochSetsTheTimestampWhenNotGiven() {
        assertThat(parse(new CommitCommand(), "ctr").options("1700000000").timestamp()).isEqualTo(1700000000L);
        assertThat(parse(new CommitCommand(), "ctr").options("").timestamp()).isNull();
        CommitCommand commit = new CommitCommand();
        CommandLine commandLine = new CommandLine(commit);
        commandLine.parseArgs("ctr");
        commit.spec = commandLine.getCommandSpec();
        assertThatThrownBy(() -> commit.options("yesterday")).isInstanceOf(ParameterException.class)
                .hasMessageContaining("SOURCE_DATE_EPOCH");
    }

    @Test
    void pushFlags() {
        assertThat(parse(new PushCommand(), "img", "oci:/x").options()).isEqualTo(PushOptions.defaults());
        PushCommand push = parse(new PushCommand(), "--format", "docker", "--compression-format", "none",
                "--digestfile", "d", "img", "oci:/x");
        assertThat(push.options()).isEqualTo(new PushOptions("v2s2", "none", true, null, null, null, Path.of("d")));
        assertThat(push.digestFile).isEqualTo(Path.of("d"));
        assertThat(parse(new PushCommand(), "-f", "oci", "img", "oci:/x").options().format()).isEqualTo("oci");
    }

    @Test
    void addExtractsCopyDoesNot() {
        AddCommand add = parse(new AddCommand(), "--chown", "1:2", "--chmod", "0755", "--contextdir", "ctx",
                "ctr", "a", "b*", "/dest");
        assertThat(add.options()).isEqualTo(new CopyOptions("1:2", "0755", true, Path.of("ctx")));
        assertThat(add.sources()).containsExactly("a", "b*");
        assertThat(add.dest()).isEqualTo("/dest");
        CopyCommand copy = parse(new CopyCommand(), "ctr", "a", "/");
        assertThat(copy.options()).isEqualTo(CopyOptions.copy());
    }
}

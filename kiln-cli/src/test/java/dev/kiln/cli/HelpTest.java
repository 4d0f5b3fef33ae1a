package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class HelpTest {
    static Stream<String> verbs() {
        return commandLine().getSubcommands().entrySet().stream()
                .filter(e -> e.getKey().equals(e.getValue().getCommandName())) // aliases once
                .map(e -> e.getKey());
    }

    private static CommandLine commandLine() {
        PrintWriter sink = new PrintWriter(new StringWriter());
        return Main.commandLine(new Main(), sink, sink);
    }

    @Test
    void everyVerbOfTheBriefExists() {
        assertThat(verbs().toList()).containsExactlyInAnyOrder("from", "containers", "add", "copy", "config",
                "mount", "umount", "diff", "commit", "images", "tag", "rmi", "rm", "inspect", "push", "pull", "login", "logout", "gc", "fsck", "run",
                "build", "version");
        assertThat(commandLine().getSubcommands()).containsKeys("ps", "unmount", "bud");
    }

    /** A command line builds only the verb it names (picocli's start-up cost is per verb); help and unknown words get all. */
    @Test
    void onlyTheNamedVerbIsBuilt() {
        assertThat(Main.verbsFor("--root", "run", "run", "ctr", "--", "ls")).containsExactly(RunCommand.class);
        assertThat(Main.verbsFor("--root=/x", "--storage-driver", "vfs", "--debug", "images")).containsExactly(ImagesCommand.class);
        assertThat(Main.verbsFor("ps")).containsExactly(ContainersCommand.class);
        assertThat(Main.verbsFor("bud", "-t", "x", ".")).containsExactly(BuildCommand.class);
        assertThat(Main.verbsFor("--help")).isEqualTo(Main.VERBS);
        assertThat(Main.verbsFor("nosuch")).isEqualTo(Main.VERBS);
        assertThat(Main.verbsFor("--root")).isEqualTo(Main.VERBS);
        assertThat(Main.VERBS).hasSize((int) verbs().count());
    }

    @Test
    void topHelpListsEveryVerbAndGlobalOption() {
        CliRun run = CliRun.of("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        verbs().forEach(verb -> assertThat(run.out()).contains("  " + verb));
        assertThat(run.out()).contains("--root", "--storage-driver", "--debug", "--version", "--help");
    }

    @ParameterizedTest
    @MethodSource("verbs")
    void verbHelpExitsZeroAndMentionsEveryOption(String verb) {
        CliRun run = CliRun.of(verb, "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).contains("Usage: kiln " + verb).contains("Example: ");
        for (OptionSpec option : commandLine().getSubcommands().get(verb).getCommandSpec().options()) {
            assertThat(run.out()).contains(List.of(option.names()));
            assertThat(option.description()).as("description of %s %s", verb, option.longestName()).isNotEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("verbs")
    void everyPositionalParameterIsDescribed(String verb) {
        var spec = commandLine().getSubcommands().get(verb).getCommandSpec();
        spec.positionalParameters().forEach(p ->
                assertThat(p.description()).as("%s %s", verb, p.paramLabel()).isNotEmpty());
        assertThat(spec.usageMessage().description()).isNotEmpty();
    }

    @Test
    void versionOptionAndVerb() {
        CliRun option = CliRun.of("--version");
        assertThat(option.exitCode()).isZero();
        assertThat(option.out()).matches("kiln version \\d+\\.\\d+\\.\\d+.*\\R");
        CliRun verb = CliRun.of("version");
        assertThat(verb.exitCode()).isZero();
        assertThat(verb.err()).isEmpty();
        assertThat(verb.out()).contains("Version:", "Java Version:  " + Runtime.version(), "OS/Arch:       linux/");
    }

    @Test
    void noVerbPrintsTheHelp() {
        CliRun run = CliRun.of();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: kiln");
    }
}

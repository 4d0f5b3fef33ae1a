package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.KilnException;
import dev.kiln.oci.NotFoundException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorHandlingTest {
    @TempDir
    Path root;

    private static void assertUsageError(CliRun run, String command, String... mentions) {
        assertThat(run.exitCode()).isEqualTo(125);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.err()).startsWith("kiln: ").contains(mentions).contains("(try '" + command + " --help')");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertUsageError(CliRun.of("rm", "--bogus", "x"), "kiln rm", "--bogus");
    }

    @Test
    void unknownGlobalOptionAndVerb() {
        assertUsageError(CliRun.of("--bogus"), "kiln", "--bogus");
        assertUsageError(CliRun.of("nosuch"), "kiln", "nosuch");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "commit|commit --format tar c|tar",
            "commit|commit --compression-format lz4 c|lz4",
            "push|push --format docker-v1 img oci:/tmp/x|docker-v1",
            "inspect|inspect --type volume x|volume",
            "diff|diff --format yaml c|yaml",
            "copy|copy c only-one|SRC",
            "from|from|IMAGE",
            "tag|tag img|NEWNAME",
            "commit|commit --timestamp soon c|soon"})
    void badValuesAndMissingParametersAreUsageErrors(String verb, String args, String mention) {
        assertUsageError(CliRun.of(args.split(" ")), "kiln " + verb, mention);
    }

    @Test
    void storageDriverIsChecked() {
        assertUsageError(CliRun.of("--storage-driver", "btrfs", "images"), "kiln", "btrfs");
    }

    @Test
    void rmAndRmiNeedNamesOrAllButNotBoth() {
        assertUsageError(CliRun.of("--root", root.toString(), "rm"), "kiln rm", "--all");
        assertUsageError(CliRun.of("--root", root.toString(), "rm", "--all", "x"), "kiln rm", "not both");
        assertUsageError(CliRun.of("--root", root.toString(), "rmi"), "kiln rmi", "--all");
        assertUsageError(CliRun.of("--root", root.toString(), "rmi", "-a", "x"), "kiln rmi", "not both");
    }

    @Test
    void kilnExceptionIsOneLineAndExitOne() {
        StringWriter err = new StringWriter();
        int code = ErrorReporter.report(new NotFoundException("container \"x\" not found in /s\n(see kiln containers)"),
                false, new PrintWriter(err));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("kiln: container \"x\" not found in /s; (see kiln containers)" + System.lineSeparator());
    }

    @Test
    void aPathNestedPastPathMaxShowsItsStartAndEnd() {
        String deep = "/store/containers/abc/upper/" + "n".repeat(20).concat("/").repeat(230) + "deep.txt";
        String line = ErrorReporter.oneLine("committing: " + deep + ": File name too long");
        assertThat(line).startsWith("committing: /store/containers/abc/upper/nnn").endsWith("nnnn/deep.txt: File name too long")
                .contains("[… " + (deep.length() + 1 - 240) + " characters …]").hasSizeLessThan(400);
    }

    @Test
    void otherExceptionsAreInternalErrors() {
        StringWriter err = new StringWriter();
        int code = ErrorReporter.report(new IllegalStateException("boom"), false, new PrintWriter(err));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("kiln: internal error: java.lang.IllegalStateException: boom"
                + " (run with --debug for the stack trace)" + System.lineSeparator());
    }

    @Test
    void debugAddsTheStackTrace() {
        StringWriter err = new StringWriter();
        ErrorReporter.report(new KilnException("bad", new IllegalStateException("cause")), true, new PrintWriter(err));
        assertThat(err.toString()).startsWith("kiln: bad").contains("\tat dev.kiln.cli.", "Caused by: java.lang.IllegalStateException: cause");
    }

    // The tests below go through the facade; they pass once dev.kiln is implemented.

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "rm nosuch", "rmi nosuch", "inspect nosuch", "inspect --type image nosuch", "from nosuch-image",
            "mount nosuch", "umount nosuch", "commit nosuch", "tag nosuch other", "diff nosuch",
            "config --env A=B nosuch", "copy nosuch a /", "push nosuch oci:/tmp/nowhere"})
    void kilnErrorFromTheLibraryIsOneLineExitOne(String args) {
        CliRun run = CliRun.of(("--root " + root + " " + args).split(" "));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.err()).startsWith("kiln: ").doesNotContain("internal error").doesNotContain("\tat ");
    }

    @Test
    void debugShowsTheStackTraceOfALibraryError() {
        CliRun run = CliRun.of("--debug", "--root", root.toString(), "rm", "nosuch");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("kiln: ").contains("\tat dev.kiln.");
    }
}

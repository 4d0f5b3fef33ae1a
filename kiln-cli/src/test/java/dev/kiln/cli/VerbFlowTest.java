package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** from → copy → config → diff → commit → images → rmi → rm through the CLI; needs the facade implemented. */
class VerbFlowTest {
    @TempDir
    Path root;

    @TempDir
    Path context;

    private CliRun kiln(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--root";
        all[1] = root.toString();
        all[2] = "--storage-driver";
        all[3] = "vfs";
        System.arraycopy(args, 0, all, 4, args.length);
        CliRun run = CliRun.of(all);
        assertThat(run.err()).as("stderr of %s", String.join(" ", args)).isEmpty();
        assertThat(run.exitCode()).isZero();
        return run;
    }

    @Test
    void buildAnImageVerbByVerb() throws Exception {
        Files.writeString(context.resolve("hello.txt"), "hello\n");
        String ctr = kiln("from", "scratch").out().strip();
        assertThat(ctr).isEqualTo("working-container");
        assertThat(kiln("containers").out()).startsWith(
                "CONTAINER ID  BUILDER  IMAGE ID     IMAGE NAME                       CONTAINER NAME").contains(ctr);
        assertThat(kiln("ps", "--quiet").out().strip()).hasSize(12);

        kiln("copy", "--contextdir", context.toString(), ctr, "hello.txt", "/");
        kiln("config", "--env", "A=1", "--cmd", "[\"/hello\"]", ctr);
        assertThat(kiln("diff", ctr).out()).contains("A /hello.txt");
        assertThat(kiln("diff", "--format", "json", ctr).out()).contains("\"added\": [", "\"/hello.txt\"");

        String id = kiln("commit", ctr, "app").out().strip();
        assertThat(id).matches("[0-9a-f]{64}");
        assertThat(kiln("images").out()).contains("localhost/app", "latest", id.substring(0, 12), "ago");
        assertThat(kiln("images", "-q").out().strip()).isEqualTo(id.substring(0, 12));
        assertThat(kiln("inspect", "app").out()).contains(id);

        kiln("tag", "app", "app:2");
        assertThat(kiln("rmi", "app:2").out()).contains("untagged: localhost/app:2");
        assertThat(kiln("rm", ctr).out().strip()).matches("[0-9a-f]{64}");
        assertThat(kiln("rmi", "--all").out()).contains(id);
        assertThat(kiln("gc").out()).isNotBlank();
    }
}

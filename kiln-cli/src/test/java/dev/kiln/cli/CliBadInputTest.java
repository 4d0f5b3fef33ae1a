package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input through the CLI: a non-zero exit, exactly one "kiln: ..." line on stderr (no stack
 * trace), and the store's files exactly as before.
 */
@Tag("privileged")
class CliBadInputTest {
    @TempDir
    Path tmp;

    Cli kiln;

    @BeforeEach
    void storeWithAContainerAndAnImage() throws Exception {
        Tools.requireRoot();
        kiln = new Cli(tmp.resolve("store"));
        Path file = Files.writeString(tmp.resolve("hello.txt"), "hello\n");
        kiln.ok("from", "--name", "base", "scratch");
        kiln.ok("copy", "base", file.toString(), "/hello.txt");
        kiln.ok("commit", "base", "small");
    }

    @Test
    void unknownContainer() throws Exception {
        assertFailsCleanly("rm", "nosuch");
        assertFailsCleanly("mount", "nosuch");
    }

    @Test
    void unknownImage() throws Exception {
        assertFailsCleanly("from", "nosuch");
        assertFailsCleanly("rmi", "nosuch");
    }

    @Test
    void missingSourceFile() throws Exception {
        assertFailsCleanly("add", "base", "/missing/file", "/");
    }

    @Test
    void truncatedTarballFailsWithOneLine() throws Exception {
        assertFailsWithOneLine("add", "base", truncatedTar().toString(), "/");
    }

    @Test
    void truncatedTarballLeavesTheStoreAsItWas() throws Exception {
        assertFailsCleanly("add", "base", truncatedTar().toString(), "/");
    }

    @Test
    void corruptGzipTarballFailsWithOneLine() throws Exception {
        assertFailsWithOneLine("add", "base", corruptGzip().toString(), "/");
    }

    @Test
    void corruptGzipTarballLeavesTheStoreAsItWas() throws Exception {
        assertFailsCleanly("add", "base", corruptGzip().toString(), "/");
    }

    private Path truncatedTar() throws Exception {
        byte[] tar = Files.readAllBytes(Fixtures.busyboxRootfsTar());
        return Files.write(tmp.resolve("half.tar"), Arrays.copyOf(tar, tar.length / 2));
    }

    private Path corruptGzip() throws Exception {
        Path gz = tmp.resolve("rootfs.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(Fixtures.busyboxRootfsTar(), out);
        }
        byte[] bytes = Files.readAllBytes(gz);
        for (int i = bytes.length / 2; i < bytes.length / 2 + 64; i++) bytes[i] ^= (byte) 0x5a;
        return Files.write(gz, bytes);
    }

    @Test
    void layoutWhoseManifestWasEdited() throws Exception {
        Path layout = tmp.resolve("layout");
        kiln.ok("push", "small", "oci:" + layout);
        JsonNode index = new ObjectMapper().readTree(layout.resolve("index.json").toFile());
        String digest = index.get("manifests").get(0).get("digest").asText();
        Path manifest = layout.resolve("blobs/sha256/" + digest.substring("sha256:".length()));
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("\\{", "{ "));
        assertFailsCleanly("pull", "oci:" + layout);
    }

    @Test
    void missingArchive() throws Exception {
        assertFailsCleanly("pull", "oci-archive:/missing.tar");
    }

    @Test
    void unknownCommitFormat() throws Exception {
        assertFailsCleanly("commit", "--format", "bogus", "base");
    }

    @Test
    void debugPrintsTheStackTrace() {
        Cli.Result r = kiln.run("--debug", "rm", "nosuch");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines().getFirst()).startsWith("kiln: ");
        assertThat(r.err()).contains("NotFoundException", "\tat dev.kiln.");
    }

    private void assertFailsCleanly(String... args) throws Exception {
        Map<String, String> before = kiln.storeListing();
        assertFailsWithOneLine(args);
        assertThat(kiln.storeListing()).as("the store after kiln " + String.join(" ", args)).isEqualTo(before);
    }

    private void assertFailsWithOneLine(String... args) {
        Cli.Result r = kiln.run(args);
        assertThat(r.code()).as(r.toString()).isNotZero();
        assertThat(r.errLines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).as(r.toString()).startsWith("kiln: ").doesNotContain("Exception", "\tat ");
        System.out.println("kiln " + String.join(" ", args) + " -> " + r.err().strip());
    }
}

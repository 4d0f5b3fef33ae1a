package dev.kiln.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialStoreTest {
    @TempDir
    Path dir;

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void credentialsNeverPrintTheSecret() {
        Credentials c = Credentials.parse("alice:pa:ss");
        assertThat(c.secret()).isEqualTo("pa:ss");
        assertThat(c.toString()).contains("alice").doesNotContain("pa:ss");
    }

    @Test
    void loginWritesXdgAuthFileAtomically0600KeepingOtherEntriesAndLogoutRemoves() throws Exception {
        Path xdg = dir.resolve("run");
        Path file = xdg.resolve("containers/auth.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"auths\":{\"other.io\":{\"auth\":\"" + b64("bob:x") + "\"}},\"keep\":1}");
        CredentialStore store = new CredentialStore(null, null, Map.of("XDG_RUNTIME_DIR", xdg.toString()), dir.resolve("home"));
        assertThat(store.authFile()).isEqualTo(file);

        store.login("127.0.0.1:5000", new Credentials("alice", "secret"));
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String text = Files.readString(file);
        assertThat(text).contains("other.io", "keep", b64("alice:secret"));
        assertThat(store.find("127.0.0.1:5000")).contains(new Credentials("alice", "secret"));
        assertThat(store.find("other.io")).contains(new Credentials("bob", "x"));
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }

        assertThat(store.logout("127.0.0.1:5000")).isTrue();
        assertThat(store.logout("127.0.0.1:5000")).isFalse();
        assertThat(store.find("127.0.0.1:5000")).isEmpty();
        assertThat(store.find("other.io")).isPresent();
    }

    @Test
    void orderExplicitThenAuthfileThenEnvThenXdgThenDocker() throws Exception {
        Path authfile = write("a.json", "{\"auths\":{\"r.io\":{\"auth\":\"" + b64("authfile:1") + "\"}}}");
        Path envFile = write("e.json", "{\"auths\":{\"r.io\":{\"auth\":\"" + b64("env:1") + "\"},\"e.io\":{\"auth\":\"" + b64("env:2") + "\"}}}");
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve(".docker"));
        Files.writeString(home.resolve(".docker/config.json"),
                "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + b64("hub:1") + "\"},\"d.io\":{\"auth\":\"" + b64("docker:1") + "\"}}}");
        Map<String, String> env = Map.of("REGISTRY_AUTH_FILE", envFile.toString(), "XDG_RUNTIME_DIR", dir.resolve("none").toString());

        assertThat(new CredentialStore(new Credentials("x", "y"), authfile, env, home).find("r.io").orElseThrow().username()).isEqualTo("x");
        CredentialStore s = new CredentialStore(null, authfile, env, home);
        assertThat(s.find("r.io").orElseThrow().username()).isEqualTo("authfile");
        assertThat(s.find("e.io").orElseThrow().username()).isEqualTo("env");
        assertThat(s.find("d.io").orElseThrow().username()).isEqualTo("docker");
        assertThat(s.find("docker.io").orElseThrow().username()).isEqualTo("hub");
        assertThat(s.find("nowhere.io")).isEmpty();
        assertThat(s.authFile()).isEqualTo(authfile);
    }

    @Test
    void credentialHelperIsRunWithTheRegistryOnStdin() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path helper = bin.resolve("docker-credential-kilntest");
        Files.writeString(helper, """
                #!/bin/sh
                read server
                if [ "$1" = get ] && [ "$server" = "h.io" ]; then
                  echo '{"ServerURL":"h.io","Username":"helped","Secret":"s3"}'
                else
                  echo "credentials not found in native keychain"; exit 1
                fi
                """);
        helper.toFile().setExecutable(true);
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve(".docker"));
        Files.writeString(home.resolve(".docker/config.json"), "{\"credHelpers\":{\"h.io\":\"kilntest\"},\"credsStore\":\"kilntest\"}");
        CredentialStore s = new CredentialStore(null, null,
                Map.of("PATH", bin + ":/usr/bin:/bin", "XDG_RUNTIME_DIR", dir.resolve("none").toString()), home);
        assertThat(s.find("h.io")).contains(new Credentials("helped", "s3"));
        assertThat(s.find("other.io")).isEmpty();
    }

    @Test
    void challengesWithQuotedCommas() {
        List<AuthChallenge> cs = AuthChallenge.parseAll(List.of(
                "Bearer realm=\"https://auth.example/token\",service=\"reg\",scope=\"repository:a/b:pull,push\"",
                "Basic realm=\"x, \\\"y\\\"\""));
        assertThat(cs).hasSize(2);
        assertThat(cs.get(0).isBearer()).isTrue();
        assertThat(cs.get(0).param("scope")).isEqualTo("repository:a/b:pull,push");
        assertThat(cs.get(0).param("service")).isEqualTo("reg");
        assertThat(cs.get(1).isBasic()).isTrue();
        assertThat(cs.get(1).param("realm")).isEqualTo("x, \"y\"");
        assertThat(AuthChallenge.parseAll(List.of("Basic realm=a, Bearer realm=\"b\""))).extracting(AuthChallenge::scheme)
                .containsExactly("Basic", "Bearer");
    }

    private Path write(String name, String json) throws Exception {
        return Files.writeString(dir.resolve(name), json);
    }
}

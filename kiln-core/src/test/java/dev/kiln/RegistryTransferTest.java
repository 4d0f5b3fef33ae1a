package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Index;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Platform;
import dev.kiln.registry.RegistryClient;
import dev.kiln.registry.RegistryOptions;
import dev.kiln.registry.TestRegistry;
import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import dev.kiln.testing.TreeListing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** push and pull of kiln images through the real registry on plain HTTP: round trip, skip, mount, digest, index. */
@Tag("privileged")
@Tag("tools")
class RegistryTransferTest {
    @TempDir
    static Path dir;
    static TestRegistry registry;
    static Kiln kiln;

    @BeforeAll
    static void start() throws Exception {
        Tools.requireRoot();
        registry = TestRegistry.start(dir.resolve("reg"), TestRegistry.Config.plain());
        kiln = Kiln.open(dir.resolve("store"));
        buildThreeLayerImage(kiln, "app:1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (kiln != null) kiln.close();
        if (registry != null) registry.close();
    }

    /** busybox, then a file, then another file: three layers, as three commits. */
    static void buildThreeLayerImage(Kiln k, String name) throws Exception {
        WorkingContainer c = k.from("scratch", null);
        c.add(List.of(Fixtures.busyboxRootfsTar().toString()), "/", CopyOptions.add());
        c.commit("layers-1", CommitOptions.defaults());
        Path file = Files.writeString(dir.resolve("one.txt"), "one\n".repeat(1000));
        c = k.from("layers-1", null);
        c.add(List.of(file.toString()), "/one.txt", CopyOptions.add());
        c.commit("layers-2", CommitOptions.defaults());
        Path other = Files.writeString(dir.resolve("two.txt"), "two\n".repeat(1000));
        c = k.from("layers-2", null);
        c.add(List.of(other.toString()), "/two.txt", CopyOptions.add());
        c.commit(name, CommitOptions.defaults());
    }

    static Kiln emptyStore(String name) {
        return Kiln.open(dir.resolve("stores").resolve(name));
    }

    static int count(String log, String regex) {
        Matcher m = Pattern.compile(regex).matcher(log);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    @Test
    void pushedImageIsPulledIntoAnEmptyStoreWithIdenticalDigests() throws Exception {
        Path digestFile = dir.resolve("digest");
        Digest pushed = kiln.push("app:1", "docker://" + registry.host() + "/app:v1",
                new PushOptions(null, null, true, null, null, null, digestFile));
        assertThat(Files.readString(digestFile)).isEqualTo(pushed.toString());
        try (Kiln other = emptyStore("roundtrip")) {
            ImageInfo pulled = other.pull(registry.host() + "/app:v1", PullOptions.defaults());
            assertThat(pulled.manifest()).isEqualTo(pushed);
            assertThat(pulled.id()).isEqualTo(kiln.image("app:1").id());
            assertThat(pulled.names()).containsExactly(registry.host() + "/app:v1");
            String manifest = other.inspectImage(pulled.id());
            assertThat(manifest).contains(MediaType.OCI_LAYER_GZIP);
            assertThat(count(manifest, "\"digest\"")).isEqualTo(4); // config + three layers
            // a working container from the pulled image sees the files of every layer
            WorkingContainer c = other.from(registry.host() + "/app:v1", null);
            Path root = c.mount();
            assertThat(root.resolve("one.txt")).exists();
            assertThat(root.resolve("two.txt")).exists();
            assertThat(root.resolve("bin/busybox")).exists();
            c.unmount();
        }
    }

    @Test
    void blobsTheStoreHasAreNotFetchedAgain() throws Exception {
        kiln.push("app:1", registry.host() + "/again-a:v1", PushOptions.defaults());
        kiln.push("app:1", registry.host() + "/again-b:v1", PushOptions.defaults());
        try (Kiln other = emptyStore("again")) {
            other.pull(registry.host() + "/again-a:v1", PullOptions.defaults());
            assertThat(count(registry.log(), "\"GET /v2/again-a/blobs/sha256:")).isEqualTo(4);
            other.pull(registry.host() + "/again-b:v1", PullOptions.defaults());
            assertThat(count(registry.log(), "\"GET /v2/again-b/blobs/sha256:")).as("layers and config already stored").isZero();
            assertThat(other.image(registry.host() + "/again-b:v1").names())
                    .containsExactlyInAnyOrder(registry.host() + "/again-a:v1", registry.host() + "/again-b:v1");
        }
    }

    @Test
    void secondPushSkipsBlobsTheRepositoryHas() throws Exception {
        String transfers = "\"(PUT /v2/skip/blobs/uploads/|POST /v2/skip/blobs/uploads/\\?mount=)";
        kiln.push("app:1", registry.host() + "/skip:v1", PushOptions.defaults());
        int sent = count(registry.log(), transfers); // uploaded, or mounted when an earlier test pushed them elsewhere
        assertThat(sent).isEqualTo(4);
        String found = "\"HEAD /v2/skip/blobs/sha256:[0-9a-f]+ HTTP/1.1\" 200";
        int heads = count(registry.log(), found);
        kiln.push("app:1", registry.host() + "/skip:v2", PushOptions.defaults());
        assertThat(count(registry.log(), transfers)).isEqualTo(sent);
        assertThat(count(registry.log(), found) - heads).isGreaterThanOrEqualTo(4);
        assertThat(count(registry.log(), "\"PUT /v2/skip/manifests/v2")).isEqualTo(1);
    }

    @Test
    void pushToASecondRepositoryMountsTheBlobs() throws Exception {
        kiln.push("app:1", registry.host() + "/mount-a:v1", PushOptions.defaults());
        kiln.push("app:1", registry.host() + "/mount-b:v1", PushOptions.defaults());
        String log = registry.log();
        assertThat(count(log, "\"POST /v2/mount-b/blobs/uploads/\\?mount=sha256:[0-9a-f]+&from=mount-a HTTP/1.1\" 201"))
                .isEqualTo(4);
        assertThat(count(log, "\"PUT /v2/mount-b/blobs/uploads/")).isZero();
    }

    @Test
    void pullByDigestStoresTheImageUnderRepoAtDigest() throws Exception {
        Digest pushed = kiln.push("app:1", registry.host() + "/bydigest:v1", PushOptions.defaults());
        try (Kiln other = emptyStore("bydigest")) {
            String ref = registry.host() + "/bydigest@" + pushed;
            ImageInfo pulled = other.pull(ref, PullOptions.defaults());
            assertThat(pulled.manifest()).isEqualTo(pushed);
            assertThat(pulled.names()).containsExactly(ref);
            assertThat(other.image(ref).manifest()).isEqualTo(pushed);
            assertThat(other.root().resolve("origins/sha256")).isNotEmptyDirectory();
            other.removeImage(ref, false);
            assertThat(other.root().resolve("origins/sha256")).as("gc drops origins of deleted blobs").isEmptyDirectory();
        }
    }

    @Test
    void anIndexOfTwoPlatformsGivesTheAskedOne() throws Exception {
        Digest arm = pushWithArch("arm64", "multi:arm64");
        Digest amd = pushWithArch("amd64", "multi:amd64");
        RegistryClient client = RegistryClient.create(registry.host(), RegistryOptions.defaults());
        Descriptor armD = client.getManifest("multi", arm.toString(), null).descriptor().withPlatform(Platform.of("linux", "arm64", null));
        Descriptor amdD = client.getManifest("multi", amd.toString(), null).descriptor().withPlatform(Platform.of("linux", "amd64", null));
        client.putManifest("multi", "latest", Index.of(List.of(amdD, armD)).toJson(), MediaType.OCI_INDEX);

        try (Kiln other = emptyStore("multi")) {
            ImageInfo a = other.pull(registry.host() + "/multi:latest", new PullOptions(true, null, null, null, "linux/arm64"));
            assertThat(a.manifest()).isEqualTo(arm);
            ImageInfo b = other.pull(registry.host() + "/multi:latest", new PullOptions(true, null, null, null, "linux/amd64"));
            assertThat(b.manifest()).isEqualTo(amd);
            assertThatThrownBy(() -> other.pull(registry.host() + "/multi:latest", new PullOptions(true, null, null, null, "linux/s390x")))
                    .isInstanceOf(KilnException.class).hasMessageContaining("linux/s390x");
        }
    }

    @Test
    void aDockerManifestListOfTwoPlatformsGivesTheAskedOne() throws Exception {
        Digest arm = pushWithArch("arm64", "dlist:arm64", "v2s2");
        Digest amd = pushWithArch("amd64", "dlist:amd64", "v2s2");
        RegistryClient client = RegistryClient.create(registry.host(), RegistryOptions.defaults());
        Descriptor armD = client.getManifest("dlist", arm.toString(), null).descriptor().withPlatform(Platform.of("linux", "arm64", null));
        Descriptor amdD = client.getManifest("dlist", amd.toString(), null).descriptor().withPlatform(Platform.of("linux", "amd64", null));
        assertThat(armD.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
        Index list = new Index(2, MediaType.DOCKER_MANIFEST_LIST, List.of(amdD, armD), java.util.Map.of(), java.util.Map.of());
        client.putManifest("dlist", "latest", list.toJson(), MediaType.DOCKER_MANIFEST_LIST);

        try (Kiln other = emptyStore("dlist")) {
            ImageInfo a = other.pull(registry.host() + "/dlist", new PullOptions(true, null, null, null, "linux/arm64"));
            assertThat(a.manifest()).isEqualTo(arm);
            assertThat(a.manifestMediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
            assertThat(a.names()).containsExactly(registry.host() + "/dlist:latest");
        }
    }

    private static Digest pushWithArch(String arch, String tag) {
        return pushWithArch(arch, tag, null);
    }

    private static Digest pushWithArch(String arch, String tag, String format) {
        WorkingContainer c = kiln.from("app:1", null);
        ConfigChange none = ConfigChange.none();
        c.config(new ConfigChange(none.env(), null, null, null, null, none.labels(), none.annotations(), none.ports(),
                none.volumes(), null, null, null, "linux", arch, null, null, null, null, null, null, none.onbuild()));
        c.commit("app-" + arch, CommitOptions.defaults());
        return kiln.push("app-" + arch, registry.host() + "/" + tag, new PushOptions(format, null));
    }

    @Test
    void pushWithoutDestinationUsesTheRegistryInTheName() throws Exception {
        String name = registry.host() + "/named:v3";
        kiln.tag("app:1", name);
        Digest pushed = kiln.push(name, null, PushOptions.defaults());
        try (Kiln other = emptyStore("named")) {
            assertThat(other.pull(name, PullOptions.defaults()).manifest()).isEqualTo(pushed);
        }
        assertThatThrownBy(() -> kiln.push("app:1", null, PushOptions.defaults()))
                .hasMessageContaining("names no registry");
    }

    @Test
    void fromPullsAMissingImageAndShortNamesTryDockerHub() throws Exception {
        kiln.push("app:1", registry.host() + "/fromme:v1", PushOptions.defaults());
        try (Kiln other = emptyStore("from")) {
            WorkingContainer c = other.from(registry.host() + "/fromme:v1", null);
            assertThat(c.name()).isEqualTo("fromme-working-container");
            assertThat(other.image(registry.host() + "/fromme:v1").names()).containsExactly(registry.host() + "/fromme:v1");
            Path store = other.root();
            var before = TreeListing.files(store);
            assertThatThrownBy(() -> other.from("no-such-image-here", null)).isInstanceOf(KilnException.class)
                    .hasMessageContaining("no image 'no-such-image-here' in the store")
                    .hasMessageContaining("docker.io/library/no-such-image-here:latest");
            assertThat(TreeListing.files(store)).isEqualTo(before);
        }
    }

    private static String run(String... cmd) throws Exception {
        Tools.Result r = Tools.run(cmd);
        assertThat(r.exitCode()).as(String.join(" ", cmd) + "\n" + r.stderr()).isZero();
        return r.stdout();
    }

    private static String[] buildah(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("buildah", "--root", dir.resolve("buildah/root").toString(),
                "--runroot", dir.resolve("buildah/run").toString(), "--storage-driver", "vfs"));
        cmd.addAll(List.of(args));
        return cmd.toArray(String[]::new);
    }

    @Test
    void skopeoAndBuildahFetchWhatKilnPushed() throws Exception {
        Tools.require("skopeo");
        Tools.require("buildah");
        Digest pushed = kiln.push("app:1", registry.host() + "/interop:v1", PushOptions.defaults());
        Path layout = dir.resolve("skopeo-layout");
        Path digestFile = dir.resolve("skopeo.digest");
        run("skopeo", "copy", "--src-tls-verify=false", "--digestfile", digestFile.toString(),
                "docker://" + registry.host() + "/interop:v1", "oci:" + layout + ":x");
        assertThat(Files.readString(digestFile).strip()).isEqualTo(pushed.toString());
        assertThat(Files.readString(layout.resolve("index.json"))).contains(pushed.toString());

        run(buildah("pull", "--tls-verify=false", registry.host() + "/interop:v1"));
        String digests = run(buildah("images", "--digests", "--format", "{{.Digest}}"));
        assertThat(digests).contains(pushed.toString());
    }

    @Test
    void kilnPullsWhatSkopeoAndBuildahPushed() throws Exception {
        Tools.require("skopeo");
        Tools.require("buildah");
        kiln.push("app:1", "oci:" + dir.resolve("for-tools") + ":app", PushOptions.defaults());
        Path skopeoDigest = dir.resolve("from-skopeo.digest");
        run("skopeo", "copy", "--dest-tls-verify=false", "--digestfile", skopeoDigest.toString(),
                "oci:" + dir.resolve("for-tools") + ":app", "docker://" + registry.host() + "/from-skopeo:v1");
        Path buildahDigest = dir.resolve("from-buildah.digest");
        run(buildah("pull", "oci:" + dir.resolve("for-tools") + ":app"));
        String id = run(buildah("images", "-q", "--no-trunc")).lines().findFirst().orElseThrow().strip();
        run(buildah("push", "--tls-verify=false", "--digestfile", buildahDigest.toString(), id,
                "docker://" + registry.host() + "/from-buildah:v1"));
        try (Kiln other = emptyStore("interop")) {
            assertThat(other.pull(registry.host() + "/from-skopeo:v1", PullOptions.defaults()).manifest().toString())
                    .isEqualTo(Files.readString(skopeoDigest).strip());
            ImageInfo fromBuildah = other.pull("docker://" + registry.host() + "/from-buildah:v1", PullOptions.defaults());
            assertThat(fromBuildah.manifest().toString()).isEqualTo(Files.readString(buildahDigest).strip());
            WorkingContainer c = other.from(registry.host() + "/from-buildah:v1", null);
            assertThat(c.mount().resolve("two.txt")).exists();
            c.unmount();
        }
    }

    @Test
    void aMissingTagIsNamed() {
        try (Kiln other = emptyStore("missing")) {
            assertThatThrownBy(() -> other.pull(registry.host() + "/app:nope", PullOptions.defaults()))
                    .isInstanceOf(KilnException.class).hasMessageContaining("app:nope");
        }
    }
}

package dev.kiln.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Index;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.NotFoundException;
import dev.kiln.oci.Platform;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plain HTTP against the real distribution registry on loopback. */
@Tag("tools")
class RegistryClientTest {
    @TempDir
    static Path dir;
    static TestRegistry registry;
    final List<String> requests = new CopyOnWriteArrayList<>();
    RegistryClient client;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = TestRegistry.start(dir, TestRegistry.Config.plain());
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) registry.close();
    }

    @BeforeEach
    void newClient() {
        client = RegistryClient.create(registry.host(), RegistryOptions.defaults(),
                Tuning.DEFAULT.withListener((m, uri, status) -> requests.add(m + " " + uri.getPath() + " " + status)));
    }

    @Test
    void loopbackIsPlainHttpAndDockerHubMapsToItsEndpoint() {
        assertThat(client.baseUri().toString()).isEqualTo("http://" + registry.host() + "/v2/");
        assertThat(RegistryClient.create("docker.io", RegistryOptions.defaults()).baseUri().toString())
                .isEqualTo("https://registry-1.docker.io/v2/");
        assertThat(RegistryClient.create("localhost:5000", RegistryOptions.defaults()).baseUri().getScheme()).isEqualTo("http");
        assertThat(RegistryClient.create("127.0.0.1:5000", RegistryOptions.defaults().withPlainHttp(false))
                .baseUri().getScheme()).isEqualTo("https");
        client.checkAuth();
    }

    @Test
    void pushedImageComesBackByteIdentical() throws Exception {
        Blobs.Image img = Blobs.image(1, "amd64");
        Blobs.push(client, "app", "v1", img);

        ManifestResponse m = client.getManifest("app", "v1", null);
        assertThat(m.bytes()).isEqualTo(img.manifest());
        assertThat(m.digest()).isEqualTo(img.digest());
        assertThat(m.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
        for (Blobs.Blob b : List.of(img.config(), img.layers().get(0), img.layers().get(1))) {
            assertThat(Blobs.readAll(client.openBlob("app", b.descriptor()))).isEqualTo(b.bytes());
        }
        ManifestResponse byDigest = client.getManifest("app", img.digest().toString(), null);
        assertThat(byDigest.bytes()).isEqualTo(img.manifest());
        assertThat(client.tags("app")).containsExactly("v1");
    }

    @Test
    void secondPushOnlyAsksWhetherBlobsExist() {
        Blobs.Image img = Blobs.image(2, "amd64");
        Blobs.push(client, "skip", "v1", img);
        requests.clear();
        assertThat(client.pushBlob("skip", img.layers().get(0).descriptor(), img.layers().get(0).content())).isFalse();
        assertThat(requests).containsExactly("HEAD /v2/skip/blobs/" + img.layers().get(0).descriptor().digest() + " 200");
    }

    @Test
    void mountsBlobFromAnotherRepository() {
        Blobs.Blob b = Blobs.random(3, 5000, MediaType.OCI_LAYER_GZIP);
        client.pushBlob("mount/src", b.descriptor(), b.content());
        assertThat(client.hasBlob("mount/dst", b.descriptor().digest())).isFalse();
        requests.clear();
        assertThat(client.mountBlob("mount/dst", b.descriptor().digest(), "mount/src")).isTrue();
        assertThat(requests).hasSize(1).first().asString().startsWith("POST /v2/mount/dst/blobs/uploads/").endsWith(" 201");
        assertThat(client.hasBlob("mount/dst", b.descriptor().digest())).isTrue();

        Blobs.Blob missing = Blobs.random(4, 10, MediaType.OCI_LAYER_GZIP);
        assertThat(client.mountBlob("mount/dst", missing.descriptor().digest(), "mount/src")).isFalse();
    }

    @Test
    void chunkedUploadAboveThreshold() throws Exception {
        RegistryClient chunky = RegistryClient.create(registry.host(), RegistryOptions.defaults(),
                Tuning.DEFAULT.withChunking(1000, 4096).withListener((m, uri, s) -> requests.add(m + " " + s)));
        Blobs.Blob big = Blobs.random(5, 20_000, MediaType.OCI_LAYER_GZIP);
        Blobs.Blob small = Blobs.random(6, 999, MediaType.OCI_LAYER_GZIP);
        assertThat(chunky.pushBlob("chunked", big.descriptor(), big.content())).isTrue();
        assertThat(requests).containsExactly("HEAD 404", "POST 202", "PATCH 202", "PATCH 202", "PATCH 202", "PATCH 202",
                "PATCH 202", "PUT 201");
        requests.clear();
        assertThat(chunky.pushBlob("chunked", small.descriptor(), small.content())).isTrue();
        assertThat(requests).containsExactly("HEAD 404", "POST 202", "PUT 201");
        assertThat(Blobs.readAll(client.openBlob("chunked", big.descriptor()))).isEqualTo(big.bytes());
        assertThat(Blobs.readAll(client.openBlob("chunked", small.descriptor()))).isEqualTo(small.bytes());
    }

    @Test
    void defaultUploadIsOneStreamedPut() throws Exception {
        // as skopeo and buildah: one request body whatever the size (issue 7: serial 16 MiB chunks were push-again's bottleneck)
        assertThat(Tuning.DEFAULT.chunkedAbove()).isEqualTo(Long.MAX_VALUE);
        Blobs.Blob big = Blobs.random(8, 3 << 20, MediaType.OCI_LAYER_GZIP);
        requests.clear();
        assertThat(client.pushBlob("onestream", big.descriptor(), big.content())).isTrue();
        assertThat(requests).map(r -> r.replaceAll(" /.* ", " ")).containsExactly("HEAD 404", "POST 202", "PUT 201");
        assertThat(Blobs.readAll(client.openBlob("onestream", big.descriptor()))).isEqualTo(big.bytes());
    }

    @Test
    void chunkedUploadRefusesContentLongerThanItsDescriptor() {
        RegistryClient chunky = RegistryClient.create(registry.host(), RegistryOptions.defaults(),
                Tuning.DEFAULT.withChunking(1000, 4096));
        Blobs.Blob big = Blobs.random(9, 20_000, MediaType.OCI_LAYER_GZIP);
        byte[] longer = java.util.Arrays.copyOf(big.bytes(), 20_001);
        assertThatThrownBy(() -> chunky.pushBlob("chunked-long", big.descriptor(), () -> new java.io.ByteArrayInputStream(longer)))
                .hasMessageContaining("more than the 20000 bytes");
        assertThat(client.hasBlob("chunked-long", big.descriptor().digest())).isFalse();
    }

    @Test
    void emptyBlob() throws Exception {
        Blobs.Blob empty = Blobs.random(7, 0, MediaType.OCI_EMPTY);
        assertThat(client.pushBlob("empty", empty.descriptor(), empty.content())).isTrue();
        assertThat(Blobs.readAll(client.openBlob("empty", empty.descriptor()))).isEmpty();
    }

    @Test
    void indexWithTwoPlatforms() {
        Blobs.Image amd = Blobs.image(10, "amd64");
        Blobs.Image arm = Blobs.image(11, "arm64");
        Blobs.push(client, "multi", "amd64", amd);
        Blobs.push(client, "multi", "arm64", arm);
        Index index = Index.of(List.of(
                Descriptor.of(MediaType.OCI_MANIFEST, amd.digest(), amd.manifest().length).withPlatform(Platform.of("linux", "amd64", null)),
                Descriptor.of(MediaType.OCI_MANIFEST, arm.digest(), arm.manifest().length).withPlatform(Platform.of("linux", "arm64", "v8"))));
        Digest indexDigest = client.putManifest("multi", "latest", index.toJson(), MediaType.OCI_INDEX);

        ManifestResponse got = client.getManifest("multi", "latest", null);
        assertThat(got.mediaType()).isEqualTo(MediaType.OCI_INDEX);
        assertThat(got.digest()).isEqualTo(indexDigest);
        Index parsed = Index.parse(got.bytes());
        Descriptor arm64 = parsed.manifests().stream().filter(d -> d.platform().architecture().equals("arm64")).findFirst().orElseThrow();
        assertThat(client.getManifest("multi", arm64.digest().toString(), null).bytes()).isEqualTo(arm.manifest());
    }

    @Test
    void notFoundNamesRepositoryAndTag() {
        assertThatThrownBy(() -> client.getManifest("nothing/here", "v9", null))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining(registry.host() + "/nothing/here:v9")
                .hasMessageContaining("404");
        Digest d = Blobs.random(12, 10, "x/y").descriptor().digest();
        assertThat(client.hasBlob("nothing/here", d)).isFalse();
        assertThatThrownBy(() -> Blobs.readAll(client.openBlob("nothing/here", Descriptor.of(MediaType.OCI_LAYER, d, 10))))
                .isInstanceOf(NotFoundException.class).hasMessageContaining(d.toString());
    }

    @Test
    void blobWithWrongSizeOrDigestIsRejectedAtRead() {
        Blobs.Blob b = Blobs.random(13, 5000, MediaType.OCI_LAYER_GZIP);
        client.pushBlob("verify", b.descriptor(), b.content());
        Descriptor shorter = Descriptor.of(MediaType.OCI_LAYER_GZIP, b.descriptor().digest(), 4000);
        assertThatThrownBy(() -> Blobs.readAll(client.openBlob("verify", shorter)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("more than the expected 4000 bytes");
    }

    @Test
    void skopeoReadsWhatKilnPushedAndKilnReadsWhatSkopeoPushed() throws Exception {
        dev.kiln.testing.Tools.require("skopeo");
        Blobs.Image img = Blobs.image(50, "amd64");
        Blobs.push(client, "interop/kiln", "v1", img);
        String raw = dev.kiln.testing.Tools.run("skopeo", "inspect", "--raw", "--tls-verify=false",
                "docker://" + registry.host() + "/interop/kiln:v1").stdout();
        assertThat(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(img.manifest());
        dev.kiln.testing.Tools.run("skopeo", "copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                "docker://" + registry.host() + "/interop/kiln:v1", "docker://" + registry.host() + "/interop/skopeo:v2");
        // skopeo may re-serialise the manifest while copying; what kiln pulls must be what skopeo wrote
        String skopeoRaw = dev.kiln.testing.Tools.run("skopeo", "inspect", "--raw", "--tls-verify=false",
                "docker://" + registry.host() + "/interop/skopeo:v2").stdout();
        String skopeoDigest = dev.kiln.testing.Tools.run("skopeo", "inspect", "--format", "{{.Digest}}", "--tls-verify=false",
                "docker://" + registry.host() + "/interop/skopeo:v2").stdout().strip();
        ManifestResponse copied = client.getManifest("interop/skopeo", "v2", null);
        assertThat(copied.bytes()).isEqualTo(skopeoRaw.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(copied.digest()).hasToString(skopeoDigest);
        dev.kiln.oci.Manifest m = dev.kiln.oci.Manifest.parse(copied.bytes());
        for (Descriptor d : m.layers()) Blobs.readAll(client.openBlob("interop/skopeo", d)); // verified at EOF
        assertThat(Blobs.readAll(client.openBlob("interop/skopeo", m.config()))).isEqualTo(img.config().bytes());
    }

    @Test
    void rejectsHostileNames() {
        assertThatThrownBy(() -> client.getManifest("../etc", "v1", null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> client.getManifest("app", "v1/../../x", null)).isInstanceOf(InvalidInputException.class);
    }
}

package dev.kiln.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of one registry host, speaking the OCI distribution API ({@code /v2/}) over HTTP/1.1.
 * One per registry; thread-safe, so layers may be pulled and pushed from parallel threads.
 *
 * <p>Every call authenticates itself (see {@link Credentials}: a 401 challenge is answered with
 * Basic credentials or a bearer token for the call's scope, cached until it expires), retries
 * idempotent requests on I/O errors, 429 and 5xx within {@link Tuning}'s bounds, and fails with a
 * {@link KilnException} naming the registry, repository and action (401/403 with a hint to
 * {@code kiln login}), a {@link dev.kiln.oci.NotFoundException} for 404, or an
 * {@link InvalidInputException} when content does not match its digest.
 *
 * <p>Repository names are those of {@link dev.kiln.oci.Reference#repository()} (for Docker Hub
 * already normalised to {@code library/NAME}).
 */
public final class RegistryClient implements AutoCloseable {
    /** What {@link #getManifest} asks for when given no types: OCI and Docker schema 2, images and indexes. */
    public static final List<String> MANIFEST_TYPES = List.of(MediaType.OCI_MANIFEST, MediaType.OCI_INDEX,
            MediaType.DOCKER_MANIFEST, MediaType.DOCKER_MANIFEST_LIST);

    private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final int MAX_MANIFEST = dev.kiln.oci.Limits.MANIFEST;

    private final String registry;
    private final URI base;
    private final Http http;
    private final Tuning tuning;

    private final HttpClients clients;

    private RegistryClient(String registry, URI base, Http http, Tuning tuning, HttpClients clients) {
        this.clients = clients;
        this.registry = registry;
        this.base = base;
        this.http = http;
        this.tuning = tuning;
    }

    /** A client for {@code registry} ({@code host[:port]}; {@code docker.io} means Docker Hub). */
    public static RegistryClient create(String registry, RegistryOptions opts) {
        return create(registry, opts, Tuning.DEFAULT);
    }

    public static RegistryClient create(String registry, RegistryOptions opts, Tuning tuning) {
        if (registry == null || registry.isEmpty() || registry.contains("/")) {
            throw new InvalidInputException("invalid registry '" + registry + "' (expected host[:port])");
        }
        String endpoint = endpoint(registry);
        boolean plain = opts.plainHttp() != null ? opts.plainHttp() : isLoopback(endpoint);
        HttpClients clients = new HttpClients(HttpClients.builder()
                .sslContext(plain ? TlsContexts.none() : TlsContexts.forRegistry(registry, opts)).build(), plain);
        URI base = URI.create((plain ? "http://" : "https://") + endpoint + "/v2/");
        Authenticator auth = new Authenticator(clients, registry, opts.credentials(), tuning.listener());
        return new RegistryClient(registry, base, new Http(clients, registry, tuning, auth), tuning, clients);
    }

    /**
     * Stops the client's connections and threads (requests still running fail); it cannot be used
     * afterwards. Not required, but a process exits ~0.3 s sooner when its clients are closed.
     */
    @Override
    public void close() {
        clients.close();
    }

    /** The host Docker Hub's API lives on; other registries are their own endpoint. */
    static String endpoint(String registry) {
        return switch (registry) {
            case "docker.io", "index.docker.io" -> "registry-1.docker.io";
            default -> registry;
        };
    }

    /** localhost, 127.0.0.0/8 and ::1, with or without a port. */
    static boolean isLoopback(String hostPort) {
        String host = hostPort.startsWith("[") ? hostPort.substring(1, Math.max(1, hostPort.indexOf(']')))
                : hostPort.contains(":") ? hostPort.substring(0, hostPort.indexOf(':')) : hostPort;
        return host.equals("localhost") || host.equals("::1") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    public String registry() {
        return registry;
    }

    /** The API root this client talks to, e.g. {@code http://127.0.0.1:5000/v2/}. */
    public URI baseUri() {
        return base;
    }

    /**
     * GET /v2/: checks that the registry answers and that the credentials (if any) are accepted.
     * What {@code kiln login} calls before storing credentials.
     */
    public void checkAuth() {
        Http.discard(http.expect(Request.get(base, List.of(), "logging in to " + registry), 200));
    }

    /**
     * Fetches a manifest or index by tag or digest, accepting {@code acceptTypes} (empty or null:
     * {@link #MANIFEST_TYPES}). Verifies the bytes against the digest when fetched by digest and
     * against Docker-Content-Digest when the registry sends one; refuses Docker schema 1.
     */
    public ManifestResponse getManifest(String repo, String tagOrDigest, List<String> acceptTypes) {
        String ref = checkRef(tagOrDigest);
        String action = "pulling manifest " + name(repo) + (Digest.isDigest(ref) ? "@" : ":") + ref;
        List<String> accept = acceptTypes == null || acceptTypes.isEmpty() ? MANIFEST_TYPES : acceptTypes;
        Request req = Request.get(uri(repo, "manifests/" + ref), pull(repo), action)
                .withHeaders("Accept", String.join(", ", accept));
        HttpResponse<InputStream> resp = http.expect(req, 200);
        byte[] bytes = readBounded(resp, action);
        String mediaType = mediaTypeOf(resp.headers().firstValue("Content-Type").orElse(""), bytes);
        if (mediaType.equals(MediaType.DOCKER_SCHEMA1) || mediaType.equals(MediaType.DOCKER_SCHEMA1_SIGNED)) {
            throw new InvalidInputException(action + ": the registry only has a Docker schema 1 manifest ("
                    + mediaType + "), which kiln does not support; push the image again with a current tool");
        }
        Digest actual = Digest.sha256(bytes);
        if (Digest.isDigest(ref)) checkDigest(action, Digest.parse(ref), bytes, actual);
        String header = resp.headers().firstValue("Docker-Content-Digest").orElse(null);
        if (header != null && Digest.isDigest(header)) checkDigest(action, Digest.parse(header), bytes, actual);
        return new ManifestResponse(bytes, mediaType, Digest.isDigest(ref) ? Digest.parse(ref) : actual);
    }

    /** HEAD /v2/REPO/blobs/DIGEST: whether the registry has the blob in this repository. */
    public boolean hasBlob(String repo, Digest digest) {
        Request req = new Request("HEAD", uri(repo, "blobs/" + digest), List.of(), BodyPublishers::noBody,
                pull(repo), "checking for blob " + digest + " in " + name(repo), true);
        HttpResponse<InputStream> resp = http.send(req);
        Http.discard(resp);
        if (resp.statusCode() == 200) return true;
        if (resp.statusCode() == 404) return false;
        throw RegistryErrors.forStatus(registry, req, resp.statusCode(), null);
    }

    /**
     * Opens a blob for reading. The stream verifies size and digest at EOF (an
     * {@link InvalidInputException} from {@code read} on mismatch) and, if the connection drops,
     * continues with a {@code Range: bytes=N-} request, at most {@link Tuning#maxTries()} times.
     * The caller closes it.
     */
    public InputStream openBlob(String repo, Descriptor blob) {
        String action = "pulling blob " + blob.digest() + " from " + name(repo);
        URI uri = uri(repo, "blobs/" + blob.digest());
        return new ResumingBlobStream(blob, action, offset -> openAt(uri, repo, offset, action), tuning.maxTries());
    }

    private InputStream openAt(URI uri, String repo, long offset, String action) {
        Request req = Request.get(uri, pull(repo), action);
        if (offset == 0) return http.expect(req, 200).body();
        HttpResponse<InputStream> resp = http.expect(req.withHeaders("Range", "bytes=" + offset + "-"), 200, 206);
        InputStream in = resp.body();
        if (resp.statusCode() == 206) {
            String range = resp.headers().firstValue("Content-Range").orElse("");
            if (!range.startsWith("bytes " + offset + "-")) {
                Http.discard(resp);
                throw new KilnException(action + ": asked to resume at byte " + offset + " but the registry sent '" + range + "'");
            }
            return in;
        }
        try { // the registry ignored Range: skip what we already have
            in.skipNBytes(offset);
            return in;
        } catch (IOException e) {
            throw new TransientException(action + ": resuming at byte " + offset + ": " + e.getMessage(), e);
        }
    }

    /**
     * Uploads a blob unless the repository already has it (HEAD first). Blobs up to
     * {@link Tuning#chunkedAbove()} (by default all) go in one streamed PUT, larger ones in PATCH
     * chunks streamed from the one content stream; the whole upload
     * restarts from a new session (calling {@code content} again) on a transient failure.
     *
     * @param content opens the blob's bytes from the start; called once per attempt
     * @return true if uploaded, false if the registry already had it
     */
    public boolean pushBlob(String repo, Descriptor blob, Supplier<InputStream> content) {
        if (hasBlob(repo, blob.digest())) return false;
        uploadBlob(repo, blob, content);
        return true;
    }

    /** As {@link #pushBlob} without the HEAD, for a caller that has just asked {@link #hasBlob} itself. */
    public void uploadBlob(String repo, Descriptor blob, Supplier<InputStream> content) {
        new BlobUpload(http, tuning, this, repo, blob, content).run();
    }

    /**
     * Opens an upload session (POST) for a blob whose bytes are still being made and starts
     * sending what is written to its {@link StreamedUpload#body()}; see {@link StreamedUpload}.
     *
     * @param sizeHint about how many bytes will be written (or the input they are made from),
     *                 which bounds how long the upload may take
     */
    public StreamedUpload startUpload(String repo, long sizeHint) {
        String action = "pushing a blob to " + name(repo);
        Request post = new Request("POST", uri(repo, "blobs/uploads/"), List.of(), BodyPublishers::noBody, push(repo),
                action, true);
        HttpResponse<InputStream> resp = http.expect(post, 202);
        Http.discard(resp);
        String loc = resp.headers().firstValue("Location").orElseThrow(() ->
                new KilnException(action + ": the registry opened an upload session without a Location header"));
        return new StreamedUpload(http, this, repo, resp.request().uri().resolve(loc), sizeHint);
    }

    /**
     * Asks the registry to link a blob of {@code fromRepo} into {@code repo} without uploading it
     * (POST ?mount=&from=). Returns true when mounted (201); false when the registry declined (202:
     * it opened an upload session instead, which is cancelled), and the caller should
     * {@link #pushBlob} instead.
     */
    public boolean mountBlob(String repo, Digest digest, String fromRepo) {
        checkRepo(fromRepo);
        URI uri = uri(repo, "blobs/uploads/?mount=" + digest + "&from=" + fromRepo);
        Request req = new Request("POST", uri, List.of(), BodyPublishers::noBody,
                List.of(scope(repo, "pull,push"), scope(fromRepo, "pull")),
                "mounting blob " + digest + " from " + name(fromRepo) + " into " + name(repo), true);
        HttpResponse<InputStream> resp = http.expect(req, 201, 202);
        Http.discard(resp);
        if (resp.statusCode() == 201) return true;
        resp.headers().firstValue("Location").ifPresent(loc -> cancelUpload(repo, resp.uri().resolve(loc)));
        return false;
    }

    private void cancelUpload(String repo, URI location) {
        try {
            Request del = new Request("DELETE", location, List.of(), BodyPublishers::noBody, push(repo),
                    "cancelling an upload to " + name(repo), false);
            Http.discard(http.send(del));
        } catch (KilnException e) {
            // an abandoned session expires on the registry by itself
        }
    }

    /**
     * PUT /v2/REPO/manifests/TAG with the exact bytes. {@code tag} null pushes by digest only.
     * Returns the digest of the bytes, checked against the registry's Docker-Content-Digest.
     */
    public Digest putManifest(String repo, String tag, byte[] bytes, String mediaType) {
        Digest digest = Digest.sha256(bytes);
        String ref = tag == null ? digest.toString() : checkRef(tag);
        String action = "pushing manifest to " + name(repo) + (tag == null ? "@" : ":") + ref;
        byte[] body = bytes.clone();
        Request req = new Request("PUT", uri(repo, "manifests/" + ref), List.of("Content-Type", mediaType),
                () -> BodyPublishers.ofByteArray(body), push(repo), action, true);
        HttpResponse<InputStream> resp = http.expect(req, 201, 200);
        Http.discard(resp);
        String header = resp.headers().firstValue("Docker-Content-Digest").orElse(null);
        if (header != null && Digest.isDigest(header) && !Digest.parse(header).equals(digest)) {
            throw new InvalidInputException(action + ": the registry stored digest " + header + " but the manifest's is " + digest);
        }
        return digest;
    }

    /** GET /v2/REPO/tags/list, following {@code Link: <…>; rel="next"} pages. */
    public List<String> tags(String repo) {
        String action = "listing tags of " + name(repo);
        List<String> tags = new ArrayList<>();
        URI next = uri(repo, "tags/list");
        for (int page = 0; next != null && page < 10_000; page++) {
            HttpResponse<InputStream> resp = http.expect(Request.get(next, pull(repo), action), 200);
            JsonNode json;
            try {
                json = RegistryErrors.JSON.readTree(readBounded(resp, action));
            } catch (IOException e) {
                throw new InvalidInputException(action + ": the registry sent malformed JSON", e);
            }
            for (JsonNode t : json.path("tags")) tags.add(t.asText());
            Matcher m = NEXT_LINK.matcher(resp.headers().firstValue("Link").orElse(""));
            next = m.find() ? resp.uri().resolve(m.group(1)) : null;
        }
        return tags;
    }

    // ---- helpers shared with BlobUpload

    URI uri(String repo, String rest) {
        return base.resolve(checkRepo(repo) + "/" + rest);
    }

    String name(String repo) {
        return registry + "/" + repo;
    }

    static String scope(String repo, String actions) {
        return "repository:" + repo + ":" + actions;
    }

    static List<String> pull(String repo) {
        return List.of(scope(repo, "pull"));
    }

    static List<String> push(String repo) {
        return List.of(scope(repo, "pull,push"));
    }

    private static String checkRepo(String repo) {
        if (repo == null || !REPOSITORY.matcher(repo).matches()) {
            throw new InvalidInputException("invalid repository name '" + repo + "'");
        }
        return repo;
    }

    private static String checkRef(String tagOrDigest) {
        if (tagOrDigest == null || !(TAG.matcher(tagOrDigest).matches() || Digest.isDigest(tagOrDigest))) {
            throw new InvalidInputException("invalid tag or digest '" + tagOrDigest + "'");
        }
        return tagOrDigest;
    }

    private static byte[] readBounded(HttpResponse<InputStream> resp, String action) {
        try (InputStream in = resp.body()) {
            byte[] bytes = in.readNBytes(MAX_MANIFEST + 1);
            if (bytes.length > MAX_MANIFEST) {
                throw new InvalidInputException(action + ": the document is larger than " + dev.kiln.oci.Limits.describe(MAX_MANIFEST)
                        + ", the most kiln reads for a manifest or index");
            }
            return bytes;
        } catch (IOException e) {
            throw new TransientException(action + ": the connection failed while reading (" + e.getMessage() + ")", e);
        }
    }

    private static void checkDigest(String action, Digest expected, byte[] bytes, Digest sha256) {
        Digest actual = expected.algorithm().equals("sha256") ? sha256
                : new Digest(expected.algorithm(), java.util.HexFormat.of().formatHex(expected.newHasher().digest(bytes)));
        if (!actual.equals(expected)) {
            throw new InvalidInputException(action + ": the registry sent content with digest " + actual
                    + ", not the expected " + expected);
        }
    }

    private static String mediaTypeOf(String contentType, byte[] bytes) {
        String ct = contentType.contains(";") ? contentType.substring(0, contentType.indexOf(';')).trim() : contentType.trim();
        if (!ct.isEmpty() && !ct.equals("application/json") && !ct.equals("text/plain")
                && !ct.equals("application/octet-stream")) {
            return ct;
        }
        try {
            JsonNode json = RegistryErrors.JSON.readTree(bytes);
            if (json.path("schemaVersion").asInt() == 1) return MediaType.DOCKER_SCHEMA1;
            String mt = json.path("mediaType").asText("");
            if (!mt.isEmpty()) return mt;
            return json.has("manifests") ? MediaType.OCI_INDEX : MediaType.OCI_MANIFEST;
        } catch (IOException e) {
            throw new InvalidInputException("the registry sent a manifest that is not JSON", e);
        }
    }
}

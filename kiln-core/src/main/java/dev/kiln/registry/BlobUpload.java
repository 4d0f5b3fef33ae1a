package dev.kiln.registry;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Supplier;

/**
 * One blob upload (distribution spec, "Pushing blobs"): POST opens a session whose Location is
 * followed exactly as given (relative or absolute, its query kept); then either one PUT with the
 * whole body ("monolithic") or PATCHes of {@link Tuning#chunkSize()} bytes and a closing PUT.
 * A transient failure anywhere restarts from a fresh session, because a half-written session
 * cannot be trusted to append correctly.
 */
final class BlobUpload {
    private final Http http;
    private final Tuning tuning;
    private final RegistryClient client;
    private final String repo;
    private final Descriptor blob;
    private final Supplier<InputStream> content;
    private final String action;

    BlobUpload(Http http, Tuning tuning, RegistryClient client, String repo, Descriptor blob, Supplier<InputStream> content) {
        this.http = http;
        this.tuning = tuning;
        this.client = client;
        this.repo = repo;
        this.blob = blob;
        this.content = content;
        this.action = "pushing blob " + blob.digest() + " to " + client.name(repo);
    }

    void run() {
        long start = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                URI session = open();
                URI done = blob.size() > tuning.chunkedAbove() ? patchChunks(session) : session;
                finish(done, blob.size() > tuning.chunkedAbove());
                return;
            } catch (TransientException e) {
                if (!http.mayRetry(attempt, start)) {
                    throw new KilnException(e.getMessage() + " (gave up after " + attempt + " upload attempts)", e);
                }
                http.backoff(attempt, null);
            }
        }
    }

    private URI open() {
        Request post = new Request("POST", client.uri(repo, "blobs/uploads/"), List.of(),
                BodyPublishers::noBody, RegistryClient.push(repo), action, true);
        HttpResponse<InputStream> resp = http.expect(post, 202);
        Http.discard(resp);
        return location(resp);
    }

    private URI patchChunks(URI session) {
        URI at = session;
        try (InputStream in = content.get()) {
            long offset = 0;
            while (true) {
                byte[] chunk = in.readNBytes(tuning.chunkSize());
                if (chunk.length == 0) break;
                Request patch = new Request("PATCH", at, List.of("Content-Type", "application/octet-stream",
                        "Content-Range", offset + "-" + (offset + chunk.length - 1)),
                        () -> BodyPublishers.ofByteArray(chunk), RegistryClient.push(repo), action, false);
                HttpResponse<InputStream> resp = http.expect(patch, 202);
                Http.discard(resp);
                at = location(resp);
                offset += chunk.length;
            }
            if (offset != blob.size()) {
                throw new InvalidInputException(action + ": the content has " + offset + " bytes, the descriptor says " + blob.size());
            }
            return at;
        } catch (IOException e) {
            throw new KilnException(action + ": reading the blob's content: " + e.getMessage(), e);
        }
    }

    private void finish(URI session, boolean chunked) {
        URI put = withDigest(session, blob.digest());
        Request req = chunked
                ? new Request("PUT", put, List.of(), BodyPublishers::noBody,
                        RegistryClient.push(repo), action, false)
                : new Request("PUT", put, List.of("Content-Type", "application/octet-stream"),
                        () -> blob.size() == 0 ? BodyPublishers.noBody()
                                : BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(content), blob.size()),
                        RegistryClient.push(repo), action, false);
        HttpResponse<InputStream> resp = http.expect(req, 201);
        Http.discard(resp);
        String header = resp.headers().firstValue("Docker-Content-Digest").orElse(null);
        if (header != null && Digest.isDigest(header) && !Digest.parse(header).equals(blob.digest())) {
            throw new InvalidInputException(action + ": the registry stored it as " + header);
        }
    }

    private URI location(HttpResponse<InputStream> resp) {
        String loc = resp.headers().firstValue("Location").orElseThrow(() ->
                new KilnException(action + ": the registry opened an upload session without a Location header"));
        return resp.request().uri().resolve(loc);
    }

    /** Appends {@code digest=} to the session URL, keeping whatever query the registry put there. */
    static URI withDigest(URI session, Digest digest) {
        String s = session.toString();
        return URI.create(s + (session.getRawQuery() == null ? "?" : "&") + "digest=" + digest.toString().replace(":", "%3A"));
    }
}

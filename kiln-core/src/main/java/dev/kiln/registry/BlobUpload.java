package dev.kiln.registry;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Supplier;

/**
 * One blob upload (distribution spec, "Pushing blobs"): POST opens a session whose Location is
 * followed exactly as given (relative or absolute, its query kept); then either one PUT streaming
 * the whole body ("monolithic", as skopeo and buildah send one stream) or, above
 * {@link Tuning#chunkedAbove()} (off by default; for proxies that cap request bodies), PATCHes of
 * {@link Tuning#chunkSize()} bytes streamed from the one open content stream and a closing PUT.
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
            for (long offset = 0; offset < blob.size(); ) {
                long len = Math.min(tuning.chunkSize(), blob.size() - offset);
                Request patch = new Request("PATCH", at, List.of("Content-Type", "application/octet-stream",
                        "Content-Range", offset + "-" + (offset + len - 1)), oneShot(in, len),
                        RegistryClient.push(repo), action, false, timeoutFor(len));
                HttpResponse<InputStream> resp = http.expect(patch, 202);
                Http.discard(resp);
                at = location(resp);
                offset += len;
            }
            if (in.read() != -1) { // also lets a verifying stream check the digest at its EOF
                throw new InvalidInputException(action + ": the content has more than the " + blob.size()
                        + " bytes the descriptor says");
            }
            return at;
        } catch (IOException e) {
            throw new KilnException(action + ": reading the blob's content: " + e.getMessage(), e);
        }
    }

    /**
     * The next {@code len} bytes of {@code in} as a request body, read as they are sent. A second
     * body (Http re-sends after answering a 401) cannot have them again: the upload restarts.
     */
    private Supplier<BodyPublisher> oneShot(InputStream in, long len) {
        boolean[] used = {false};
        return () -> {
            if (used[0]) throw new TransientException(action + ": the registry asked again for a chunk already read", null);
            used[0] = true;
            return BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> new Bounded(in, len)), len);
        };
    }

    /** Enough time for a body of {@code bytes} at 1 MiB/s on top of the usual request timeout. */
    static Duration timeoutFor(long bytes) {
        return Http.REQUEST_TIMEOUT.plusSeconds(Math.max(0, bytes) >> 20);
    }

    private void finish(URI session, boolean chunked) {
        URI put = withDigest(session, blob.digest());
        Request req = chunked
                ? new Request("PUT", put, List.of(), BodyPublishers::noBody,
                        RegistryClient.push(repo), action, false)
                : new Request("PUT", put, List.of("Content-Type", "application/octet-stream"),
                        () -> blob.size() == 0 ? BodyPublishers.noBody()
                                : BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(content), blob.size()),
                        RegistryClient.push(repo), action, false, timeoutFor(blob.size()));
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

    /** At most {@code left} bytes of a stream that stays open for the next chunk. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long left) {
            this.in = in;
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == 1 ? one[0] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) left -= n;
            return n;
        }

        @Override
        public void close() {
            // the chunks share one stream, closed by the upload
        }
    }
}

package dev.kiln.registry;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * An upload of a blob whose bytes are still being made, so that they can be sent as they come
 * (issue 7: push compresses and uploads a layer in one pass). The distribution spec's streamed
 * upload: POST (made by {@link RegistryClient#startUpload}), one PATCH whose body is what is
 * written to {@link #body()} (chunked transfer encoding, sent from a virtual thread), and the
 * closing PUT with the digest, which only {@link #finish} knows.
 *
 * <p>It is not retried, since the bytes cannot be produced again: a failure the registry might
 * not repeat (I/O, 5xx, 429) makes {@link #finish} return false, and the caller uploads the blob
 * again from a copy it kept ({@link RegistryClient#uploadBlob}). Writes to the body never fail
 * because of the upload, so the producer can finish that copy. {@link #close} without a
 * successful finish cancels the session; the registry publishes nothing without the PUT.
 */
public final class StreamedUpload implements AutoCloseable {
    private final Http http;
    private final String repo;
    private final String action;
    private final BodyPipe body = new BodyPipe();
    private final Thread sender;
    private volatile URI next;
    private volatile RuntimeException failure;
    private URI session;
    private boolean finished;

    StreamedUpload(Http http, RegistryClient client, String repo, URI session, long sizeHint) {
        this.http = http;
        this.repo = repo;
        this.session = session;
        this.action = "pushing a blob to " + client.name(repo);
        Request patch = new Request("PATCH", session, List.of("Content-Type", "application/octet-stream"),
                () -> BodyPublishers.fromPublisher(body), RegistryClient.push(repo), action, false,
                BlobUpload.timeoutFor(sizeHint));
        this.sender = Thread.ofVirtual().name("kiln-upload").start(() -> send(patch));
    }

    /** Where the blob's bytes go, as they are made. Closing it ends the body. */
    public OutputStream body() {
        return body;
    }

    /**
     * Ends the body if not yet ended, waits for the registry's answer and commits the blob
     * ({@code PUT ?digest=}). Returns false if the upload failed in a way worth trying again
     * from a replayable copy; throws on other failures, and if what was sent is not {@code blob}.
     */
    public boolean finish(Descriptor blob) {
        try {
            body.close();
            sender.join();
        } catch (java.io.IOException e) {
            throw new KilnException(action + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException(action + ": interrupted", e);
        }
        if (failure instanceof TransientException) return false;
        if (failure != null) throw failure;
        String what = "pushing blob " + blob.digest() + " to " + repo;
        if (body.written() != blob.size()) {
            throw new InvalidInputException(what + ": sent " + body.written() + " bytes, the blob has " + blob.size());
        }
        try {
            Request put = new Request("PUT", BlobUpload.withDigest(next, blob.digest()), List.of(),
                    BodyPublishers::noBody, RegistryClient.push(repo), what, false);
            HttpResponse<InputStream> resp = http.expect(put, 201);
            Http.discard(resp);
            String header = resp.headers().firstValue("Docker-Content-Digest").orElse(null);
            if (header != null && Digest.isDigest(header) && !Digest.parse(header).equals(blob.digest())) {
                throw new InvalidInputException(what + ": the registry stored it as " + header);
            }
        } catch (TransientException e) {
            return false;
        }
        finished = true;
        return true;
    }

    /** Cancels the upload unless it finished: the body is failed and the session deleted. */
    @Override
    public void close() {
        if (finished) return;
        body.fail(new java.io.IOException(action + ": cancelled"));
        try {
            sender.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        URI at = next != null ? next : session;
        try {
            Http.discard(http.send(new Request("DELETE", at, List.of(), BodyPublishers::noBody,
                    RegistryClient.push(repo), "cancelling an upload to " + repo, false)));
        } catch (KilnException e) {
            // an abandoned session expires on the registry by itself
        }
    }

    private void send(Request patch) {
        try {
            HttpResponse<InputStream> resp = http.expect(patch, 202);
            Http.discard(resp);
            String range = resp.headers().firstValue("Range").orElse(null);
            long sent = body.written();
            if (range != null && sent > 0 && !range.equals("0-" + (sent - 1))) {
                throw new TransientException(action + ": sent " + sent + " bytes but the registry has " + range, null);
            }
            String loc = resp.headers().firstValue("Location").orElseThrow(() ->
                    new KilnException(action + ": the registry answered the upload without a Location header"));
            next = resp.request().uri().resolve(loc);
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            body.abandon();
        }
    }
}

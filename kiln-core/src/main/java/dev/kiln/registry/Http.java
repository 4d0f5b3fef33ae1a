package dev.kiln.registry;

import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Set;

/**
 * Sends {@link Request}s for one registry: attaches authorization (answering a 401 challenge
 * once), retries what may be retried with doubling backoff within the {@link Tuning} bounds
 * (honouring Retry-After on 429), and follows redirects of GET and HEAD itself so that the
 * registry's Authorization header is never sent to another host (blob storage, CDNs).
 *
 * <p>Returns the response whatever its status once retries and redirects are done; callers
 * check the status with {@link #expect}. Thread-safe.
 */
final class Http {
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    private static final int MAX_REDIRECTS = 10;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    final HttpClients clients;
    final String registry;
    final Tuning tuning;
    final Authenticator auth;

    Http(HttpClients clients, String registry, Tuning tuning, Authenticator auth) {
        this.clients = clients;
        this.registry = registry;
        this.tuning = tuning;
        this.auth = auth;
    }

    HttpResponse<InputStream> send(Request req) {
        long start = System.nanoTime();
        int attempt = 0;
        int redirects = 0;
        boolean challengeAnswered = false;
        Request current = req;
        boolean sendAuth = true;
        while (true) {
            attempt++;
            HttpResponse<InputStream> resp;
            try {
                resp = exchange(current, sendAuth);
            } catch (IOException e) {
                String why = current.action() + ": " + RegistryErrors.describeIo(current.uri().getAuthority(), e);
                if (!current.retryable() || !RegistryErrors.isRetryableIo(e) || !mayRetry(attempt, start)) {
                    throw RegistryErrors.isRetryableIo(e) ? new TransientException(why + triesNote(attempt), e)
                            : new KilnException(why, e);
                }
                backoff(attempt, null);
                continue;
            }
            int status = resp.statusCode();
            if (status == 401 && sendAuth && !challengeAnswered
                    && auth.answer(resp.headers().allValues("WWW-Authenticate"), current.scopes(), current.action(),
                            resp.request().headers().firstValue("Authorization").isPresent())) {
                discard(resp);
                challengeAnswered = true;
                attempt--;
                continue;
            }
            if ((status == 429 || status >= 500) && current.retryable() && mayRetry(attempt, start)) {
                discard(resp);
                backoff(attempt, resp.headers().firstValue("Retry-After").orElse(null));
                continue;
            }
            if (REDIRECTS.contains(status) && (current.method().equals("GET") || current.method().equals("HEAD"))
                    && resp.headers().firstValue("Location").isPresent() && redirects++ < MAX_REDIRECTS) {
                URI next = current.uri().resolve(resp.headers().firstValue("Location").get());
                discard(resp);
                sendAuth = sendAuth && sameOrigin(current.uri(), next);
                current = current.withUri(next);
                attempt = 0;
                continue;
            }
            return resp;
        }
    }

    /** Sends and checks that the status is one of {@code ok}; otherwise throws the matching error. */
    HttpResponse<InputStream> expect(Request req, int... ok) {
        HttpResponse<InputStream> resp = send(req);
        for (int s : ok) if (resp.statusCode() == s) return resp;
        throw RegistryErrors.forStatus(registry, req, resp.statusCode(), resp.body());
    }

    private HttpResponse<InputStream> exchange(Request req, boolean sendAuth) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(req.uri()).timeout(req.timeout())
                .method(req.method(), req.body().get());
        for (int i = 0; i + 1 < req.headers().size(); i += 2) b.header(req.headers().get(i), req.headers().get(i + 1));
        if (sendAuth) {
            String authorization = auth.authorization(req.scopes(), req.action());
            if (authorization != null) b.header("Authorization", authorization);
        }
        try {
            HttpResponse<InputStream> resp = clients.forUri(req.uri()).send(b.build(), BodyHandlers.ofInputStream());
            tuning.listener().exchanged(req.method(), req.uri(), resp.statusCode());
            return resp;
        } catch (IOException e) {
            tuning.listener().exchanged(req.method(), req.uri(), -1);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(req.action() + ": interrupted");
        }
    }

    boolean mayRetry(int attempt, long startNanos) {
        return attempt < tuning.maxTries()
                && System.nanoTime() - startNanos < tuning.retryBudget().toNanos();
    }

    /** Sleeps before retry number {@code attempt}: Retry-After seconds if given (capped), else doubling. */
    void backoff(int attempt, String retryAfter) {
        long millis = tuning.firstBackoff().toMillis() << Math.min(attempt - 1, 16);
        if (retryAfter != null) {
            try {
                millis = Math.max(millis, Long.parseLong(retryAfter.trim()) * 1000);
            } catch (NumberFormatException e) {
                // an HTTP date: keep the computed backoff
            }
        }
        millis = Math.min(millis, tuning.retryBudget().toMillis());
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException("interrupted while waiting to retry", e);
        }
    }

    private String triesNote(int attempt) {
        return attempt > 1 ? " (gave up after " + attempt + " attempts)" : "";
    }

    static void discard(HttpResponse<InputStream> resp) {
        try (InputStream in = resp.body()) {
            in.skip(Long.MAX_VALUE);
        } catch (IOException e) {
            // the connection is dropped; nothing of ours is lost
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getAuthority().equalsIgnoreCase(b.getAuthority());
    }
}

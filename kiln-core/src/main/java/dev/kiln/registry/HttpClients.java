package dev.kiln.registry;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The java.net.http clients of one registry. A plain-HTTP registry's client is given an SSLContext
 * that loads nothing, because HttpClient otherwise makes the JDK's default one (reading cacerts:
 * a few hundred ms of every push and pull, issue 7); an https URL it meets anyway (a token realm,
 * a redirect to blob storage) gets a client with the JDK's CAs, made on first need.
 */
final class HttpClients {
    private final HttpClient main;
    private final boolean mainPlainOnly;
    private volatile HttpClient tls;

    HttpClients(HttpClient main, boolean mainPlainOnly) {
        this.main = main;
        this.mainPlainOnly = mainPlainOnly;
    }

    static HttpClient.Builder builder() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(30));
    }

    /**
     * Stops the clients' selector threads. HotSpot's exit waits up to ~300 ms for threads that
     * are in native code, and an idle java.net.http selector sits in epoll_wait: every push and
     * pull paid that at exit (issue 7).
     */
    void close() {
        main.shutdownNow();
        HttpClient c = tls;
        if (c != null) c.shutdownNow();
    }

    /** The client to send a request for {@code uri} with. */
    HttpClient forUri(URI uri) {
        if (!mainPlainOnly || !"https".equalsIgnoreCase(uri.getScheme())) return main;
        HttpClient c = tls;
        if (c == null) {
            synchronized (this) {
                if (tls == null) tls = builder().build();
                c = tls;
            }
        }
        return c;
    }
}

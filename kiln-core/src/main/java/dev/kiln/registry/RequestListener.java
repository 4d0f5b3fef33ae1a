package dev.kiln.registry;

import java.net.URI;

/**
 * Told about every HTTP exchange a {@link RegistryClient} makes (including token requests and
 * retries), for progress, {@code --debug} traces and tests that count requests. Never given
 * headers, so never given credentials. Called on the requesting thread; must be thread-safe.
 */
@FunctionalInterface
public interface RequestListener {
    /**
     * @param status the HTTP status, or -1 when the exchange failed with an I/O error
     */
    void exchanged(String method, URI uri, int status);

    RequestListener NONE = (method, uri, status) -> {};
}

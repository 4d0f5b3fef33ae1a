package dev.kiln.registry;

import java.net.URI;
import java.time.Duration;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.List;
import java.util.function.Supplier;

/**
 * One request as {@link Http} sends it, possibly several times.
 *
 * @param body       makes a fresh body for each attempt
 * @param scopes     token scopes the request needs ({@code repository:NAME:pull,push}); empty for /v2/
 * @param action     what is being done, for error messages ("pulling 127.0.0.1:5000/app:1")
 * @param retryable  whether an I/O error, 429 or 5xx may be answered by sending it again
 * @param timeout    how long the exchange may take until the response's headers, sending the body included
 */
record Request(String method, URI uri, List<String> headers, Supplier<BodyPublisher> body, List<String> scopes,
        String action, boolean retryable, Duration timeout) {
    Request(String method, URI uri, List<String> headers, Supplier<BodyPublisher> body, List<String> scopes,
            String action, boolean retryable) {
        this(method, uri, headers, body, scopes, action, retryable, Http.REQUEST_TIMEOUT);
    }

    static Request get(URI uri, List<String> scopes, String action) {
        return new Request("GET", uri, List.of(), BodyPublishers::noBody, scopes, action, true);
    }

    Request withHeaders(String... nameValuePairs) {
        List<String> h = new java.util.ArrayList<>(headers);
        h.addAll(List.of(nameValuePairs));
        return new Request(method, uri, List.copyOf(h), body, scopes, action, retryable, timeout);
    }

    Request withUri(URI newUri) {
        return new Request(method, newUri, headers, body, scopes, action, retryable, timeout);
    }

    Request withBody(Supplier<BodyPublisher> newBody) {
        return new Request(method, uri, headers, newBody, scopes, action, retryable, timeout);
    }

    Request notRetryable() {
        return new Request(method, uri, headers, body, scopes, action, false, timeout);
    }

    Request withTimeout(Duration newTimeout) {
        return new Request(method, uri, headers, body, scopes, action, retryable, newTimeout);
    }
}

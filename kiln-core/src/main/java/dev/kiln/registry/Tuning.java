package dev.kiln.registry;

import java.time.Duration;

/**
 * The knobs of a {@link RegistryClient} that users rarely set: when uploads switch to chunked,
 * how retries back off, and who hears about each request.
 *
 * @param chunkedAbove  blobs larger than this many bytes are uploaded in chunks (POST, PATCH…, PUT);
 *                      smaller ones in one streamed PUT. Off by default ({@link Long#MAX_VALUE}): the
 *                      distribution registry takes a blob of any size in one request, as skopeo and
 *                      buildah send it, and one stream avoids a round trip per chunk; chunks are for
 *                      proxies that cap the size of a request body
 * @param chunkSize     bytes per PATCH
 * @param maxTries      attempts per idempotent request (and per blob upload, and resumes per blob
 *                      download), at least 1
 * @param firstBackoff  the wait before the first retry; it doubles each time
 * @param retryBudget   no retry starts after this much time has passed since the first attempt
 * @param listener      told about every exchange
 */
public record Tuning(long chunkedAbove, int chunkSize, int maxTries, Duration firstBackoff, Duration retryBudget,
        RequestListener listener) {
    public static final Tuning DEFAULT = new Tuning(Long.MAX_VALUE, 16 << 20, 5, Duration.ofMillis(200),
            Duration.ofSeconds(30), RequestListener.NONE);

    public Tuning {
        if (chunkSize <= 0) throw new IllegalArgumentException("chunkSize must be positive");
        if (maxTries < 1) throw new IllegalArgumentException("maxTries must be at least 1");
        if (listener == null) listener = RequestListener.NONE;
    }

    public Tuning withListener(RequestListener newListener) {
        return new Tuning(chunkedAbove, chunkSize, maxTries, firstBackoff, retryBudget, newListener);
    }

    public Tuning withChunking(long newChunkedAbove, int newChunkSize) {
        return new Tuning(newChunkedAbove, newChunkSize, maxTries, firstBackoff, retryBudget, listener);
    }

    public Tuning withRetries(int newMaxTries, Duration newFirstBackoff, Duration newRetryBudget) {
        return new Tuning(chunkedAbove, chunkSize, newMaxTries, newFirstBackoff, newRetryBudget, listener);
    }
}

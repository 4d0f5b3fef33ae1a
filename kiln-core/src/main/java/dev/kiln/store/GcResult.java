package dev.kiln.store;

/** What {@link Store#gc} removed ({@code cacheEntries}: build-cache entries whose image is gone). */
public record GcResult(int blobs, int snapshots, int compressed, int tmpEntries, long blobBytes, int cacheEntries) {}

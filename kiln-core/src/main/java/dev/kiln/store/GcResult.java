package dev.kiln.store;

/** What {@link Store#gc} removed. */
public record GcResult(int blobs, int snapshots, int compressed, int tmpEntries, long blobBytes) {}

package dev.kiln.store;

/**
 * One thing {@code fsck} found. DAMAGED: an image, blob, snapshot, container or index.json is not
 * what it should be (the store is unsound). LEFTOVER: garbage a crash or a running kiln leaves
 * in tmp/ or beside an atomically replaced file; the store is still sound, gc removes it.
 *
 * @param subject what is affected ("image localhost/app:latest", "blob sha256:…", "tmp/ingest-…")
 * @param detail  what is wrong with it, one line
 * @param fix     what {@code fsck --repair} does about it
 */
public record StoreProblem(Severity severity, String subject, String detail, StoreFix fix) {
    public enum Severity { DAMAGED, LEFTOVER }

    public boolean damaged() {
        return severity == Severity.DAMAGED;
    }

    @Override
    public String toString() {
        return subject + ": " + detail;
    }
}

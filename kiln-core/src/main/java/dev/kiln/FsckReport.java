package dev.kiln;

import java.util.List;

/**
 * What {@link Kiln#fsck} found and did.
 *
 * @param found     every problem found, damage first, then leftovers
 * @param repairs   what {@code repair} did, one line per action (empty without it)
 * @param remaining the problems a check after the repair still finds ({@code found} without repair)
 * @param checked   what was looked at: "3 images, 12 blobs, 5 snapshots, 1 container" and how
 */
public record FsckReport(List<Problem> found, List<String> repairs, List<Problem> remaining, String checked) {
    public FsckReport {
        found = List.copyOf(found);
        repairs = List.copyOf(repairs);
        remaining = List.copyOf(remaining);
    }

    /**
     * One finding. {@code damaged}: an image, blob, snapshot, container or index.json is not what
     * it should be; otherwise a leftover of an interrupted (or running) kiln, which gc removes and
     * which does not make the store unsound.
     */
    public record Problem(boolean damaged, String subject, String detail) {
        @Override
        public String toString() {
            return subject + ": " + detail;
        }
    }

    /** Whether nothing is damaged (after the repair, if one was asked for). */
    public boolean sound() {
        return remaining.stream().noneMatch(Problem::damaged);
    }

    public long damagedCount() {
        return remaining.stream().filter(Problem::damaged).count();
    }
}

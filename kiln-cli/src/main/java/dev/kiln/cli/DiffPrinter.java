package dev.kiln.cli;

import dev.kiln.FileChange;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The two shapes {@code kiln diff} prints. */
final class DiffPrinter {
    private DiffPrinter() {}

    /** "A /path" lines, in the order given (the facade sorts by path). */
    static List<String> lines(List<FileChange> changes) {
        return changes.stream().map(FileChange::toString).toList();
    }

    /**
     * podman's {@code diff --format json} shape, keys in its order, each array sorted. Unlike
     * podman (omitempty), empty arrays are kept so that scripts can index every key.
     */
    static String json(List<FileChange> changes) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("changed", paths(changes, 'C'));
        report.put("added", paths(changes, 'A'));
        report.put("deleted", paths(changes, 'D'));
        return Json.pretty(report);
    }

    private static List<String> paths(List<FileChange> changes, char kind) {
        return changes.stream().filter(c -> c.kind() == kind).map(FileChange::path).sorted().toList();
    }
}

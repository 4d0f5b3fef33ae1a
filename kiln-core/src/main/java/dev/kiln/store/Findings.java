package dev.kiln.store;

import java.util.ArrayList;
import java.util.List;

/** What a store check has found so far, in the order found. */
final class Findings {
    private final List<StoreProblem> problems = new ArrayList<>();

    void damaged(String subject, String detail, StoreFix fix) {
        problems.add(new StoreProblem(StoreProblem.Severity.DAMAGED, subject, oneLine(detail), fix));
    }

    void leftover(String subject, String detail, StoreFix fix) {
        problems.add(new StoreProblem(StoreProblem.Severity.LEFTOVER, subject, oneLine(detail), fix));
    }

    List<StoreProblem> all() {
        return List.copyOf(problems);
    }

    private static String oneLine(String s) {
        return s == null ? "(no detail)" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}

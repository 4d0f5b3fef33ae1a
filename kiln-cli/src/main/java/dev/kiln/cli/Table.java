package dev.kiln.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Columns padded to their widest cell and two spaces apart, as Go's tabwriter lays out buildah's tables. */
final class Table {
    private final String[] headings;
    private final List<String[]> rows = new ArrayList<>();

    Table(String... headings) {
        this.headings = headings;
    }

    void row(String... cells) {
        if (cells.length != headings.length) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + headings.length + " columns");
        }
        rows.add(cells);
    }

    void print(PrintWriter out, boolean withHeadings) {
        List<String[]> lines = new ArrayList<>();
        if (withHeadings) {
            lines.add(headings);
        }
        lines.addAll(rows);
        int[] widths = new int[headings.length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (String[] line : lines) {
            out.println(format(line, widths));
        }
    }

    private static String format(String[] line, int[] widths) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < line.length; i++) {
            if (i == line.length - 1) {
                text.append(line[i]);
            } else {
                text.append(line[i]).append(" ".repeat(widths[i] - line[i].length() + 2));
            }
        }
        return text.toString();
    }
}

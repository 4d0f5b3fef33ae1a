package dev.kiln.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

/**
 * {@code kiln build}'s compact view on a terminal: STEP lines, cache lines and the result are
 * printed as they come; a RUN's output is shown as a window of its last {@value #WINDOW} lines
 * that is redrawn in place (ANSI cursor up and erase line) and collapsed into a one-line count
 * when the step ends. If the build fails, {@link #finish(boolean)} prints the failing step's last
 * lines for good, so the reason stays on the screen. Plain progress (not a terminal, or
 * {@code --progress=plain}) does not use this class.
 */
final class LiveView extends OutputStream {
    static final int WINDOW = 6;
    private static final int KEPT = 40;
    private static final Pattern KILN_LINE = Pattern.compile(
            "^(\\[\\d+/\\d+] )?(STEP \\d+/\\d+: |--> |COMMIT\\b)|^Successfully tagged |^[0-9a-f]{64}$|^warning: ");

    private final PrintWriter out;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    /** The current step's output lines (the last {@value #KEPT}). */
    private final Deque<String> recent = new ArrayDeque<>();
    private int stepLines;
    private int shown;

    LiveView(PrintWriter out) {
        this.out = out;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            take(line.toString(StandardCharsets.UTF_8));
            line.reset();
        } else {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) write(b[i]);
    }

    @Override
    public synchronized void flush() {
        out.flush();
    }

    private void take(String text) {
        if (KILN_LINE.matcher(text).find()) {
            collapse();
            out.println(text);
        } else {
            stepLines++;
            recent.addLast(text.replace("\r", ""));
            if (recent.size() > KEPT) recent.removeFirst();
            redraw();
        }
        out.flush();
    }

    /** Erases the window and redraws it from the last lines. */
    private void redraw() {
        erase();
        int skip = Math.max(0, recent.size() - WINDOW);
        int i = 0;
        for (String l : recent) {
            if (i++ < skip) continue;
            out.print("  \u2502 " + l + "\n");
            shown++;
        }
    }

    private void erase() {
        for (; shown > 0; shown--) out.print("\u001b[1A\u001b[2K");
    }

    /** The step ended: its output window becomes one line saying how much there was. */
    private void collapse() {
        if (stepLines == 0) return;
        erase();
        out.println("  \u2502 (" + stepLines + " line" + (stepLines == 1 ? "" : "s") + " of output)");
        stepLines = 0;
        recent.clear();
    }

    /** The build ended: on failure the current step's last lines stay on the screen. */
    synchronized void finish(boolean failed) {
        if (line.size() > 0) take(line.toString(StandardCharsets.UTF_8));
        line.reset();
        if (failed && stepLines > 0) {
            erase();
            for (String l : recent) out.println("  \u2502 " + l);
            stepLines = 0;
            recent.clear();
        } else {
            collapse();
        }
        out.flush();
    }
}

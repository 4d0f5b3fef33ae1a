package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The terminal view's pure logic: what reaches the screen, with its ANSI redraws, for a stream of build output. */
class LiveViewTest {
    private static String render(String progress, boolean failed) {
        StringWriter screen = new StringWriter();
        LiveView v = new LiveView(new PrintWriter(screen));
        v.write(progress.getBytes(StandardCharsets.UTF_8), 0, progress.getBytes(StandardCharsets.UTF_8).length);
        v.finish(failed);
        return screen.toString();
    }

    /** What a terminal shows in the end: ESC[1A moves up a line, ESC[2K erases it. */
    private static String settle(String raw) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < raw.length(); i++) {
            if (raw.startsWith("\u001b[1A\u001b[2K", i)) {
                lines.removeLast();
                i += 7;
            } else if (raw.charAt(i) == '\n') {
                lines.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(raw.charAt(i));
            }
        }
        return String.join("\n", lines);
    }

    @Test
    void runOutputIsAWindowOfItsLastLinesCollapsedWhenTheStepEnds() {
        StringBuilder p = new StringBuilder("STEP 1/2: FROM busybox\nSTEP 2/2: RUN make\n");
        for (int i = 1; i <= 20; i++) p.append("compiling ").append(i).append('\n');
        p.append("--> 0123456789ab (2.0s)\n").append("a".repeat(64)).append('\n');
        String raw = render(p.toString(), false);
        assertThat(raw).contains("\u001b[1A\u001b[2K").contains("  \u2502 compiling 20");
        assertThat(settle(raw)).isEqualTo("""
                STEP 1/2: FROM busybox
                STEP 2/2: RUN make
                  \u2502 (20 lines of output)
                --> 0123456789ab (2.0s)
                """ + "a".repeat(64));
    }

    @Test
    void aFailureKeepsTheFailingStepsLastLines() {
        String raw = render("STEP 1/1: RUN false\nerror: one\nerror: two\n", true);
        assertThat(settle(raw)).isEqualTo("STEP 1/1: RUN false\n  \u2502 error: one\n  \u2502 error: two");
        // Cache hits and multi-stage prefixes are kiln's own lines, never windowed.
        assertThat(settle(render("[1/2] STEP 2/3: COPY a b\n[1/2] --> Using cache abc\n", false)))
                .isEqualTo("[1/2] STEP 2/3: COPY a b\n[1/2] --> Using cache abc");
    }
}

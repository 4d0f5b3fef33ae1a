package dev.kiln.runtime;

import java.io.InputStream;
import java.io.OutputStream;

/** Where a container's standard streams go. */
public sealed interface Stdio {
    /** kiln's own stdin, stdout and stderr pass straight through (a tty included): the CLI. */
    static Stdio inherit() {
        return new Inherit();
    }

    /** Explicit streams: {@code stdin} may be null (the command reads EOF); the outputs are not closed. */
    static Stdio streams(InputStream stdin, OutputStream stdout, OutputStream stderr) {
        return new Streams(stdin, stdout, stderr);
    }

    record Inherit() implements Stdio {}

    record Streams(InputStream stdin, OutputStream stdout, OutputStream stderr) implements Stdio {
        public Streams {
            if (stdout == null || stderr == null) throw new IllegalArgumentException("stdout and stderr are required");
        }
    }
}

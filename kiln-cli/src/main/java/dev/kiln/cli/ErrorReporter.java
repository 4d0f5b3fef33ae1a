package dev.kiln.cli;

import dev.kiln.oci.KilnException;
import java.io.PrintWriter;
import picocli.CommandLine.ParameterException;

/**
 * Turns what went wrong into one line on stderr and an exit code: a {@link KilnException} (the
 * user can act on it) is its message and 1; anything else is an internal error, also 1; a usage
 * error is 125, as buildah. {@code --debug} adds the stack trace.
 */
final class ErrorReporter {
    private ErrorReporter() {}

    static int report(Exception e, boolean debug, PrintWriter err) {
        if (e instanceof ParameterException p) {
            return usageError(p, err);
        }
        if (e instanceof KilnException) {
            err.println("kiln: " + oneLine(e.getMessage()));
        } else if (debug) {
            err.println("kiln: internal error: " + e.getClass().getName() + ": " + oneLine(e.getMessage()));
        } else {
            err.println("kiln: internal error: " + e.getClass().getName() + ": " + oneLine(e.getMessage())
                    + " (run with --debug for the stack trace)");
        }
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    static int usageError(ParameterException e, PrintWriter err) {
        String command = e.getCommandLine().getCommandSpec().qualifiedName();
        err.println("kiln: " + oneLine(e.getMessage()) + " (try '" + command + " --help')");
        err.flush();
        return Main.USAGE_ERROR;
    }

    /** Longest word (a path, usually) an error line shows whole. */
    private static final int LONGEST_WORD = 300;

    /**
     * The error contract is one line per error; a message with line breaks is joined, and a word
     * longer than {@value #LONGEST_WORD} characters (a path nested past PATH_MAX) shows its start
     * and end only.
     */
    static String oneLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        String line = message.strip().replaceAll("\\s*\\R\\s*", "; ");
        StringBuilder out = new StringBuilder();
        for (String word : line.split(" ", -1)) {
            if (!out.isEmpty()) out.append(' ');
            out.append(word.length() <= LONGEST_WORD ? word
                    : word.substring(0, 120) + "[… " + (word.length() - 240) + " characters …]" + word.substring(word.length() - 120));
        }
        return out.toString();
    }
}

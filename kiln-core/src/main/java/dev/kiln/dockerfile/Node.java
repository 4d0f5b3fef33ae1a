package dev.kiln.dockerfile;

import java.util.List;

/**
 * One instruction as text, before typing: the keyword in upper case, the raw flags
 * ({@code --from=build}, quotes already removed), the rest of the logical line after the flags
 * (continuations joined), its heredocs and where it is. {@code original} is the logical line as
 * written (continuations joined), for history entries and error messages.
 */
public record Node(String keyword, List<String> flags, String args, List<Heredoc> heredocs, SourcePos pos,
        String original) {
    public Node {
        flags = List.copyOf(flags);
        heredocs = List.copyOf(heredocs);
    }
}

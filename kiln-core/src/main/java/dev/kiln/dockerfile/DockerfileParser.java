package dev.kiln.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text to {@link Dockerfile}, as BuildKit's Dockerfile frontend reads it: parser directives,
 * comments, continuation lines, heredocs and instruction flags give {@link Node}s with their
 * positions; {@link InstructionParser} types them and groups them into stages. Nothing is
 * expanded here (see {@link Expander}). Every error is a {@link DockerfileException} with the
 * file, line and column.
 */
public final class DockerfileParser {
    private static final Pattern DIRECTIVE = Pattern.compile("#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*");
    private static final Set<String> KNOWN_DIRECTIVES = Set.of("escape", "syntax", "check");
    /** {@code [fd]<<[-]word}: a heredoc marker (the word has no {@code <}). */
    static final Pattern HEREDOC_WORD = Pattern.compile("([0-9]*)<<(-?)([^<]*)");
    static final Set<String> HEREDOC_KEYWORDS = Set.of("RUN", "COPY", "ADD");

    private final String fileName;
    private final List<String> lines;
    private char escape = '\\';
    private int next; // index of the next unread line

    private DockerfileParser(String text, String fileName) {
        this.fileName = fileName == null ? "Dockerfile" : fileName;
        List<String> ls = new ArrayList<>();
        for (String l : text.split("\n", -1)) {
            ls.add(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
        }
        if (ls.size() > 1 && ls.getLast().isEmpty()) {
            ls.removeLast(); // the newline that ends the last line
        }
        if (!ls.isEmpty() && ls.getFirst().startsWith("\uFEFF")) {
            ls.set(0, ls.getFirst().substring(1));
        }
        this.lines = ls;
    }

    /** Parses a whole Dockerfile; {@code fileName} is only used in error messages. */
    public static Dockerfile parse(String text, String fileName) {
        Objects.requireNonNull(text, "text");
        DockerfileParser p = new DockerfileParser(text, fileName);
        List<Directive> directives = p.directives();
        List<Node> nodes = p.nodes();
        return new InstructionParser(p.fileName, p.lines, p.escape).build(directives, nodes);
    }

    /**
     * Parses an ONBUILD trigger as an image config stores it ({@code RUN echo hi}), for the build
     * that uses the image: the same rules as {@code ONBUILD} in a Dockerfile (no FROM, MAINTAINER
     * or ONBUILD; no heredocs), the default escape character. {@code fileName} names it in errors.
     */
    public static Instruction parseTrigger(String expression, String fileName) {
        Objects.requireNonNull(expression, "expression");
        if (expression.contains("\n") || expression.contains("\r")) {
            throw new DockerfileException(fileName, 1, 1, expression.lines().findFirst().orElse(""),
                    "an ONBUILD trigger is one line");
        }
        DockerfileParser p = new DockerfileParser("ONBUILD " + expression, fileName);
        List<Node> nodes = p.nodes();
        Instruction i = new InstructionParser(p.fileName, p.lines, p.escape).single(nodes.getFirst());
        return ((Instruction.Onbuild) i).trigger();
    }

    private List<Directive> directives() {
        List<Directive> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        while (next < lines.size()) {
            Matcher m = DIRECTIVE.matcher(lines.get(next).strip());
            if (!m.matches()) {
                break;
            }
            String name = m.group(1).toLowerCase(Locale.ROOT);
            if (!KNOWN_DIRECTIVES.contains(name)) {
                break;
            }
            if (!seen.add(name)) {
                throw error(next + 1, 1, "only one " + name + " parser directive can be used");
            }
            String value = m.group(2);
            if (name.equals("escape")) {
                if (!value.equals("\\") && !value.equals("`")) {
                    throw error(next + 1, 1, "invalid escape token '" + value + "' does not match ` or \\");
                }
                escape = value.charAt(0);
            }
            out.add(new Directive(name, value, next + 1));
            next++;
        }
        return out;
    }

    private List<Node> nodes() {
        List<Node> out = new ArrayList<>();
        Pattern continuation = Pattern.compile(Pattern.quote(String.valueOf(escape)) + "[ \t]*$");
        while (next < lines.size()) {
            String raw = lines.get(next++);
            String s = raw.stripLeading();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            int startLine = next;
            int startCol = raw.length() - s.length() + 1;
            StringBuilder logical = new StringBuilder();
            Matcher m = continuation.matcher(s);
            boolean cont = m.find();
            logical.append(cont ? s.substring(0, m.start()) : s);
            while (cont && next < lines.size()) {
                String r = lines.get(next++);
                String rs = r.stripLeading();
                if (rs.isEmpty() || rs.startsWith("#")) {
                    continue;
                }
                m = continuation.matcher(r);
                cont = m.find();
                logical.append(cont ? r.substring(0, m.start()) : r);
            }
            out.add(node(logical.toString(), startLine, startCol));
        }
        return out;
    }

    private Node node(String line, int startLine, int startCol) {
        String trimmed = line.strip();
        String[] kw = splitKeyword(trimmed);
        String keyword = kw[0].toUpperCase(Locale.ROOT);
        if (!InstructionParser.KEYWORDS.contains(keyword)) {
            throw error(startLine, startCol, InstructionParser.unknownInstruction(kw[0]));
        }
        List<String> flags = new ArrayList<>();
        String args = extractFlags(kw[1], flags, escape);
        List<Heredoc> heredocs = new ArrayList<>();
        if (HEREDOC_KEYWORDS.contains(keyword) && args.contains("<<") && !isJsonArray(args)) {
            for (String word : rawWords(args)) {
                Heredoc marker = heredocMarker(word, escape);
                if (marker != null) {
                    heredocs.add(readHeredoc(marker, startLine, startCol));
                }
            }
        }
        return new Node(keyword, flags, args, heredocs, new SourcePos(startLine, startCol, next), trimmed);
    }

    private Heredoc readHeredoc(Heredoc marker, int startLine, int startCol) {
        StringBuilder content = new StringBuilder();
        while (next < lines.size()) {
            String r = lines.get(next++);
            String candidate = marker.chomp() ? stripLeadingTabs(r) : r;
            if (candidate.equals(marker.name())) {
                return new Heredoc(marker.name(), content.toString(), marker.expand(), marker.chomp(),
                        marker.fileDescriptor());
            }
            content.append(candidate).append('\n');
        }
        throw error(startLine, startCol, "unterminated heredoc <<" + marker.name()
                + " (no line \"" + marker.name() + "\" before the end of the file)");
    }

    private static String stripLeadingTabs(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '\t') {
            i++;
        }
        return s.substring(i);
    }

    /** {keyword, rest}: the first whitespace-separated word and the rest without leading space. */
    static String[] splitKeyword(String trimmed) {
        int i = 0;
        while (i < trimmed.length() && !Character.isWhitespace(trimmed.charAt(i))) {
            i++;
        }
        return new String[] {trimmed.substring(0, i), trimmed.substring(i).stripLeading()};
    }

    /**
     * Takes the leading {@code --flag[=value]} words off {@code line} into {@code flags} (quotes
     * removed, the escape character escapes the next character) and returns the rest. A word
     * {@code --} alone ends the flags.
     */
    static String extractFlags(String line, List<String> flags, char escape) {
        int pos = 0;
        int n = line.length();
        while (true) {
            while (pos < n && Character.isWhitespace(line.charAt(pos))) {
                pos++;
            }
            if (pos >= n - 1 || line.charAt(pos) != '-' || line.charAt(pos + 1) != '-') {
                return pos >= n ? "" : line.substring(pos);
            }
            StringBuilder word = new StringBuilder();
            char quote = 0;
            while (pos < n) {
                char ch = line.charAt(pos);
                if (quote != 0) {
                    if (ch == quote) {
                        quote = 0;
                    } else if (ch == escape && quote != '\'' && pos + 1 < n) {
                        word.append(line.charAt(++pos));
                    } else {
                        word.append(ch);
                    }
                } else if (Character.isWhitespace(ch)) {
                    break;
                } else if (ch == '\'' || ch == '"') {
                    quote = ch;
                } else if (ch == escape) {
                    if (pos + 1 < n) {
                        word.append(line.charAt(++pos));
                    }
                } else {
                    word.append(ch);
                }
                pos++;
            }
            if (word.toString().equals("--")) {
                return line.substring(pos).stripLeading();
            }
            flags.add(word.toString());
        }
    }

    /** Words split on unquoted whitespace, quotes and escapes kept (for finding heredoc markers). */
    static List<String> rawWords(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        boolean in = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (quote == 0 && Character.isWhitespace(ch)) {
                if (in) {
                    words.add(w.toString());
                    w.setLength(0);
                    in = false;
                }
                continue;
            }
            in = true;
            w.append(ch);
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0;
                } else if (ch == '\\' && quote == '"' && i + 1 < s.length()) {
                    w.append(s.charAt(++i));
                }
            } else if (ch == '\'' || ch == '"') {
                quote = ch;
            } else if (ch == '\\' && i + 1 < s.length()) {
                w.append(s.charAt(++i));
            }
        }
        if (in) {
            words.add(w.toString());
        }
        return words;
    }

    /**
     * A heredoc marker word ({@code <<EOF}, {@code <<-"EOF"}, {@code 3<<'EOF'}) as a Heredoc with no
     * content, or null if the word is not one. Quoting any part of the delimiter disables expansion.
     */
    static Heredoc heredocMarker(String word, char escape) {
        Matcher m = HEREDOC_WORD.matcher(word);
        if (!m.matches() || m.group(3).isEmpty()) {
            return null;
        }
        String rest = m.group(3);
        StringBuilder name = new StringBuilder();
        boolean quoted = false;
        char quote = 0;
        for (int i = 0; i < rest.length(); i++) {
            char ch = rest.charAt(i);
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0;
                } else {
                    name.append(ch);
                }
            } else if (ch == '\'' || ch == '"') {
                quote = ch;
                quoted = true;
            } else if (ch == escape && i + 1 < rest.length()) {
                quoted = true;
                name.append(rest.charAt(++i));
            } else if (Character.isWhitespace(ch)) {
                return null;
            } else {
                name.append(ch);
            }
        }
        if (name.isEmpty()) {
            return null;
        }
        int fd = 0;
        if (!m.group(1).isEmpty()) {
            try {
                fd = Integer.parseInt(m.group(1));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return new Heredoc(name.toString(), "", !quoted, m.group(2).equals("-"), fd);
    }

    static boolean isJsonArray(String args) {
        try {
            return JsonArray.parse(args) != null;
        } catch (JsonArray.NotStrings e) {
            return true;
        }
    }

    private DockerfileException error(int line, int column, String reason) {
        String src = line >= 1 && line <= lines.size() ? lines.get(line - 1) : null;
        return new DockerfileException(fileName, line, column, src, reason);
    }
}

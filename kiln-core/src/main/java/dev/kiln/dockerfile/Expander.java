package dev.kiln.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Docker's variable expansion (BuildKit's {@code shell} lexer), kept apart from parsing: the
 * executor makes one with the ARG/ENV environment in force at an instruction and expands that
 * instruction's words. Supports {@code $v}, {@code ${v}}, {@code ${v:-w}}, {@code ${v-w}},
 * {@code ${v:+w}}, {@code ${v+w}}, {@code ${v:?msg}}, {@code ${v?msg}}; single quotes (nothing
 * expanded inside), double quotes ({@code $} expanded; the escape character escapes only
 * {@code "}, {@code $} and itself), the escape character outside quotes escapes any character.
 * Quotes are removed. Errors are {@link DockerfileException}s without location; give them one
 * with {@link Dockerfile#locate}. Safe to share between threads if the map is not changed (each
 * call works on its own cursor).
 */
public final class Expander {
    private static final int MAX_DEPTH = 64;
    private static final String SPECIAL = "@*#?-$!0";

    private final Map<String, String> env;
    private final char escape;

    private String s;
    private int pos;
    private int depth;
    /** Quotes are ordinary characters (here-document bodies). */
    private boolean skipQuotes;

    /** {@code env}: variable name to value (absent means unset); {@code escape}: {@link Dockerfile#escape()}. */
    public Expander(Map<String, String> env, char escape) {
        this.env = Objects.requireNonNull(env, "env");
        this.escape = escape;
    }

    /**
     * Whether the builder expands variables in this instruction's arguments: ADD, ARG, COPY, ENV,
     * EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR do; RUN, CMD, ENTRYPOINT, HEALTHCHECK,
     * SHELL and MAINTAINER do not (the shell does), and ONBUILD does not (its trigger is expanded
     * when it runs in the later build).
     */
    public static boolean expands(Instruction i) {
        return switch (i) {
            case Instruction.Add a -> true;
            case Instruction.Arg a -> true;
            case Instruction.Copy c -> true;
            case Instruction.Env e -> true;
            case Instruction.Expose e -> true;
            case Instruction.From f -> true;
            case Instruction.Label l -> true;
            case Instruction.Stopsignal s -> true;
            case Instruction.User u -> true;
            case Instruction.Volume v -> true;
            case Instruction.Workdir w -> true;
            case Instruction.Run r -> false;
            case Instruction.Cmd c -> false;
            case Instruction.Entrypoint e -> false;
            case Instruction.Healthcheck h -> false;
            case Instruction.Shell s -> false;
            case Instruction.Maintainer m -> false;
            case Instruction.Onbuild o -> false;
        };
    }

    /** One word: variables expanded, quotes and escapes removed, whitespace kept. */
    public String expandWord(String word) {
        Expander x = new Expander(env, escape);
        x.start(word);
        Words out = new Words(false);
        x.processUntil((char) 0, out);
        return out.single.toString();
    }

    /** Each word of a list (the elements of a JSON form) expanded with {@link #expandWord}. */
    public List<String> expandWords(List<String> words) {
        List<String> out = new ArrayList<>(words.size());
        for (String w : words) {
            out.add(expandWord(w));
        }
        return out;
    }

    /**
     * A COPY/ADD here-document body whose delimiter is unquoted, expanded as BuildKit does (its
     * lexer with SkipProcessQuotes): variables expanded, quotes ordinary characters, whitespace
     * and newlines kept; a backslash (whatever the escape directive) takes the next character
     * literally and is dropped, so {@code \$HOME} stays {@code $HOME}.
     */
    public String expandHeredoc(String body) {
        Expander x = new Expander(env, '\\');
        x.skipQuotes = true;
        x.start(body);
        Words out = new Words(false);
        x.processUntil((char) 0, out);
        return out.single.toString();
    }

    /**
     * A shell-form line split into words on unquoted whitespace (including whitespace that comes
     * from an unquoted expansion), each expanded; a quoted empty string is a word.
     */
    public List<String> splitWords(String line) {
        Expander x = new Expander(env, escape);
        x.start(line);
        Words out = new Words(true);
        x.processUntil((char) 0, out);
        out.end();
        return out.words;
    }

    private void start(String text) {
        s = Objects.requireNonNull(text, "text");
        pos = 0;
        depth = 0;
    }

    /** Collects the result: a single string, or words split on unquoted whitespace. */
    private static final class Words {
        final boolean split;
        final StringBuilder single = new StringBuilder();
        final List<String> words = new ArrayList<>();
        boolean inWord;

        Words(boolean split) {
            this.split = split;
        }

        void raw(char c) {
            single.append(c);
            inWord = true;
        }

        void raw(String t) {
            single.append(t);
            inWord = true;
        }

        /** Unquoted text (from an expansion or plain characters): whitespace splits words. */
        void unquoted(char c) {
            if (split && Character.isWhitespace(c)) {
                end();
            } else {
                raw(c);
            }
        }

        void end() {
            if (inWord) {
                words.add(single.toString());
                single.setLength(0);
                inWord = false;
            }
        }
    }

    private boolean eof() {
        return pos >= s.length();
    }

    private char peek() {
        return eof() ? 0 : s.charAt(pos);
    }

    /** Processes up to {@code stop} (consumed; 0 = end of text). Returns false if the end came first. */
    private boolean processUntil(char stop, Words out) {
        while (!eof()) {
            char ch = s.charAt(pos);
            if (stop != 0 && ch == stop) {
                pos++;
                return true;
            }
            if (ch == '\'' && !skipQuotes) {
                pos++;
                out.raw(singleQuoted());
            } else if (ch == '"' && !skipQuotes) {
                pos++;
                out.raw(doubleQuoted());
            } else if (ch == '$') {
                pos++;
                String v = dollar();
                if (v.isEmpty()) {
                    continue;
                }
                for (int i = 0; i < v.length(); i++) {
                    out.unquoted(v.charAt(i));
                }
            } else if (ch == escape) {
                pos++;
                if (eof()) {
                    break; // an escape at the end is dropped
                }
                out.raw(s.charAt(pos++));
            } else {
                pos++;
                out.unquoted(ch);
            }
        }
        return stop == 0;
    }

    private String singleQuoted() {
        int end = s.indexOf('\'', pos);
        if (end < 0) {
            throw new DockerfileException("unexpected end of statement while looking for matching single-quote");
        }
        String v = s.substring(pos, end);
        pos = end + 1;
        return v;
    }

    private String doubleQuoted() {
        StringBuilder b = new StringBuilder();
        while (true) {
            if (eof()) {
                throw new DockerfileException("unexpected end of statement while looking for matching double-quote");
            }
            char ch = s.charAt(pos++);
            if (ch == '"') {
                return b.toString();
            }
            if (ch == '$') {
                b.append(dollar());
            } else if (ch == escape) {
                char n = peek();
                if (!eof() && (n == '"' || n == '$' || n == escape)) {
                    b.append(n);
                    pos++;
                } else {
                    b.append(ch);
                }
            } else {
                b.append(ch);
            }
        }
    }

    /** After a {@code $}: the expansion (a lone {@code $} stays a {@code $}). */
    private String dollar() {
        if (peek() != '{' || eof()) {
            String name = name();
            if (name.isEmpty()) {
                return "$";
            }
            String v = env.get(name);
            return v == null ? "" : v;
        }
        pos++; // {
        if (eof()) {
            throw new DockerfileException("syntax error: missing '}'");
        }
        char first = peek();
        if (first == '{' || first == '}' || first == ':') {
            throw new DockerfileException("syntax error: bad substitution");
        }
        String name = name();
        if (eof()) {
            throw new DockerfileException("syntax error: missing '}'");
        }
        char ch = s.charAt(pos++);
        String value = env.get(name);
        boolean set = value != null;
        if (ch == '}') {
            return set ? value : "";
        }
        boolean colon = ch == ':';
        char modifier = ch;
        if (colon) {
            if (eof()) {
                throw new DockerfileException("syntax error: missing '}'");
            }
            modifier = s.charAt(pos++);
        }
        if (modifier != '-' && modifier != '+' && modifier != '?') {
            throw new DockerfileException("unsupported modifier (" + modifier + ") in substitution");
        }
        String word = braceWord();
        boolean present = colon ? set && !value.isEmpty() : set;
        return switch (modifier) {
            case '-' -> present ? value : word;
            case '+' -> present ? word : "";
            default -> {
                if (present) {
                    yield value;
                }
                String message = !word.isEmpty() ? word
                        : !set ? "is not allowed to be unset" : "is not allowed to be empty";
                throw new DockerfileException(name + ": " + message);
            }
        };
    }

    /** The word of {@code ${v:-word}} up to its closing brace, expanded. */
    private String braceWord() {
        if (++depth > MAX_DEPTH) {
            throw new DockerfileException("syntax error: substitutions nested too deeply");
        }
        Words inner = new Words(false);
        if (!processUntil('}', inner)) {
            throw new DockerfileException("syntax error: missing '}'");
        }
        depth--;
        return inner.single.toString();
    }

    private String name() {
        StringBuilder b = new StringBuilder();
        if (!eof() && Character.isDigit(peek())) {
            while (!eof() && Character.isDigit(peek())) {
                b.append(s.charAt(pos++));
            }
            return b.toString();
        }
        if (!eof() && SPECIAL.indexOf(peek()) >= 0) {
            return String.valueOf(s.charAt(pos++));
        }
        while (!eof() && (Character.isLetterOrDigit(peek()) || peek() == '_')) {
            b.append(s.charAt(pos++));
        }
        return b.toString();
    }
}

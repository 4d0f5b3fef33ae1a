package dev.kiln.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * The JSON (exec) form of an instruction: a JSON array of strings. {@link #parse} returns null for
 * text that is not valid JSON (the instruction is then in shell form, as Docker does) and throws
 * {@link NotStrings} for a valid JSON array with elements that are not strings (an error, as in
 * Docker).
 */
final class JsonArray {
    private static final int MAX_DEPTH = 100;

    static final class NotStrings extends Exception {
        NotStrings() {
            super("when using JSON array syntax, arrays must be comprised of strings only", null, false, false);
        }
    }

    private final String s;
    private int pos;

    private JsonArray(String s) {
        this.s = s;
    }

    static List<String> parse(String text) throws NotStrings {
        String t = text.strip();
        if (!t.startsWith("[")) {
            return null;
        }
        JsonArray p = new JsonArray(t);
        try {
            List<String> out = new ArrayList<>();
            boolean allStrings = true;
            p.expect('[');
            p.ws();
            if (p.peek() == ']') {
                p.pos++;
            } else {
                while (true) {
                    p.ws();
                    if (p.peek() == '"') {
                        out.add(p.string());
                    } else {
                        p.value(0);
                        allStrings = false;
                    }
                    p.ws();
                    char c = p.next();
                    if (c == ']') {
                        break;
                    }
                    if (c != ',') {
                        return null;
                    }
                }
            }
            p.ws();
            if (p.pos != t.length()) {
                return null;
            }
            if (!allStrings) {
                throw new NotStrings();
            }
            return out;
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private char peek() {
        if (pos >= s.length()) {
            throw new IllegalStateException();
        }
        return s.charAt(pos);
    }

    private char next() {
        char c = peek();
        pos++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            throw new IllegalStateException();
        }
    }

    private void ws() {
        while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw new IllegalStateException();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) {
                        throw new IllegalStateException();
                    }
                    try {
                        b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException x) {
                        throw new IllegalStateException();
                    }
                    pos += 4;
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    private void value(int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalStateException();
        }
        ws();
        char c = peek();
        switch (c) {
            case '"' -> string();
            case '[', '{' -> {
                char close = c == '[' ? ']' : '}';
                pos++;
                ws();
                if (peek() == close) {
                    pos++;
                    return;
                }
                while (true) {
                    ws();
                    if (c == '{') {
                        string();
                        ws();
                        expect(':');
                    }
                    value(depth + 1);
                    ws();
                    char d = next();
                    if (d == close) {
                        return;
                    }
                    if (d != ',') {
                        throw new IllegalStateException();
                    }
                }
            }
            default -> {
                int start = pos;
                while (pos < s.length() && "+-.0123456789eEtruefalsn".indexOf(s.charAt(pos)) >= 0) {
                    pos++;
                }
                String lit = s.substring(start, pos);
                if (!lit.equals("true") && !lit.equals("false") && !lit.equals("null")
                        && !lit.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                    throw new IllegalStateException();
                }
            }
        }
    }
}

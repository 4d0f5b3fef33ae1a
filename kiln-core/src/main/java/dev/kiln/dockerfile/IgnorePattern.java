package dev.kiln.dockerfile;

import dev.kiln.oci.InvalidInputException;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One line of a {@code .dockerignore}: a cleaned pattern, whether it is an exception ({@code !}),
 * and the regular expression it compiles to. The translation follows moby's patternmatcher:
 * {@code *} and {@code ?} never match {@code /}; {@code **} matches any number of directories,
 * zero included ({@code **}{@code /} is the same as {@code **}, and a trailing {@code **} matches
 * everything below); {@code [...]} is a class ({@code [^...]} negated); {@code \} quotes the next
 * character.
 *
 * @param text the cleaned pattern without its {@code !}
 * @param exception true for a {@code !} line, which re-includes what it matches
 */
record IgnorePattern(String text, boolean exception, Pattern regex) {

    static IgnorePattern compile(String cleaned, boolean exception) {
        return new IgnorePattern(cleaned, exception, Pattern.compile(toRegex(cleaned), Pattern.DOTALL));
    }

    /** True if this pattern matches {@code path} itself or one of its parent directories. */
    boolean matchesOrParentMatches(String path) {
        if (regex.matcher(path).matches()) return true;
        for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
            if (regex.matcher(path.substring(0, slash)).matches()) return true;
        }
        return false;
    }

    static String toRegex(String pattern) {
        return toRegex(pattern, true);
    }

    /** With {@code doubleStar} false, {@code **} is two {@code *}s, as in Go's {@code filepath.Match}. */
    static String toRegex(String pattern, boolean doubleStar) {
        StringBuilder re = new StringBuilder("^");
        int i = 0;
        int n = pattern.length();
        while (i < n) {
            char c = pattern.charAt(i++);
            switch (c) {
                case '*' -> {
                    if (doubleStar && i < n && pattern.charAt(i) == '*') {
                        i++;
                        if (i < n && pattern.charAt(i) == '/') i++;
                        re.append(i == n ? ".*" : "(?:.*/)?");
                    } else {
                        re.append("[^/]*");
                    }
                }
                case '?' -> re.append("[^/]");
                case '\\' -> {
                    if (i < n) {
                        re.append(quote(pattern.charAt(i++)));
                    } else {
                        re.append("\\\\");
                    }
                }
                case '[' -> i = appendClass(pattern, i, re);
                default -> re.append(quote(c));
            }
        }
        return re.append('$').toString();
    }

    /** Translates the class starting after {@code [} at {@code i}; returns the index after its {@code ]}. */
    private static int appendClass(String pattern, int i, StringBuilder re) {
        int n = pattern.length();
        StringBuilder cls = new StringBuilder("[");
        if (i < n && pattern.charAt(i) == '^') {
            cls.append('^');
            i++;
        }
        int items = 0;
        while (true) {
            if (i >= n) throw new PatternSyntaxException("missing closing ]", pattern, i);
            char c = pattern.charAt(i++);
            if (c == ']' && items > 0) break;
            if (c == '-' && items > 0 && i < n && pattern.charAt(i) != ']') {
                cls.append('-');
                continue;
            }
            if (c == '\\') {
                if (i >= n) throw new PatternSyntaxException("trailing \\ in class", pattern, i);
                c = pattern.charAt(i++);
            }
            cls.append(quote(c));
            items++;
        }
        re.append(cls).append(']');
        return i;
    }

    private static String quote(char c) {
        return Character.isLetterOrDigit(c) || c == '/' || c == '_' || c > 127 ? String.valueOf(c) : "\\" + c;
    }

    static InvalidInputException invalid(String where, String line, String why) {
        return new InvalidInputException(where + ": invalid ignore pattern \"" + line + "\": " + why);
    }
}

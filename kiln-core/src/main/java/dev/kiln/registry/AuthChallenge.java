package dev.kiln.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a WWW-Authenticate header (RFC 7235 section 4.1): a scheme and its parameters,
 * e.g. {@code Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull,push"}.
 * Parameter values may be quoted strings containing commas and backslash escapes.
 */
record AuthChallenge(String scheme, Map<String, String> params) {
    boolean isBearer() {
        return scheme.equalsIgnoreCase("bearer");
    }

    boolean isBasic() {
        return scheme.equalsIgnoreCase("basic");
    }

    String param(String name) {
        return params.get(name);
    }

    /** Parses every challenge in the given header values; skips what it cannot read. */
    static List<AuthChallenge> parseAll(List<String> unsafeHeaderValues) {
        List<AuthChallenge> out = new ArrayList<>();
        for (String value : unsafeHeaderValues) new Parser(value).parseInto(out);
        return out;
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        void parseInto(List<AuthChallenge> out) {
            String scheme = null;
            Map<String, String> params = new LinkedHashMap<>();
            while (true) {
                skip(" \t,");
                if (i >= s.length()) break;
                String token = token();
                if (token.isEmpty()) { // not a token character: give up on the rest
                    break;
                }
                skip(" \t");
                if (i < s.length() && s.charAt(i) == '=' && scheme != null) {
                    i++;
                    skip(" \t");
                    params.put(token.toLowerCase(Locale.ROOT), value());
                } else {
                    if (scheme != null) out.add(new AuthChallenge(scheme, Map.copyOf(params)));
                    scheme = token;
                    params = new LinkedHashMap<>();
                }
            }
            if (scheme != null) out.add(new AuthChallenge(scheme, Map.copyOf(params)));
        }

        private String value() {
            if (i < s.length() && s.charAt(i) == '"') {
                i++;
                StringBuilder b = new StringBuilder();
                while (i < s.length() && s.charAt(i) != '"') {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < s.length()) c = s.charAt(i++);
                    b.append(c);
                }
                i++; // closing quote
                return b.toString();
            }
            return token();
        }

        private String token() {
            int start = i;
            while (i < s.length() && " \t,=\"".indexOf(s.charAt(i)) < 0) i++;
            // token68 values (Basic's base64) may end in '='; only relevant for credentials, not challenges
            return s.substring(start, i);
        }

        private void skip(String chars) {
            while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) i++;
        }
    }
}

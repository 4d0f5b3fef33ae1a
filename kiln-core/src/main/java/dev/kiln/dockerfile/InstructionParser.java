package dev.kiln.dockerfile;

import dev.kiln.dockerfile.Instruction.Command;
import dev.kiln.dockerfile.Instruction.KeyValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@link Node}s to typed {@link Instruction}s grouped in {@link Stage}s. */
final class InstructionParser {
    static final List<String> KEYWORDS = List.of("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM",
            "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
            "WORKDIR");
    // Case kept: buildah 1.28 matches stage names as written (Docker lowercases them); see COMPATIBILITY.md.
    private static final Pattern STAGE_NAME = Pattern.compile("[a-zA-Z][a-zA-Z0-9-_.]*");
    private static final Pattern ARG_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private enum Kind { STRING, BOOL, REPEAT }

    private static final Map<String, Map<String, Kind>> FLAGS = Map.of(
            "FROM", Map.of("platform", Kind.STRING),
            "RUN", Map.of("mount", Kind.REPEAT, "network", Kind.STRING, "security", Kind.STRING),
            "COPY", Map.of("from", Kind.STRING, "chown", Kind.STRING, "chmod", Kind.STRING, "link", Kind.BOOL,
                    "parents", Kind.BOOL, "exclude", Kind.REPEAT),
            "ADD", Map.of("chown", Kind.STRING, "chmod", Kind.STRING, "link", Kind.BOOL, "checksum", Kind.STRING,
                    "keep-git-dir", Kind.BOOL, "exclude", Kind.REPEAT),
            "HEALTHCHECK", Map.of("interval", Kind.STRING, "timeout", Kind.STRING, "start-period", Kind.STRING,
                    "start-interval", Kind.STRING, "retries", Kind.STRING));

    private final String fileName;
    private final List<String> lines;
    private final char escape;

    InstructionParser(String fileName, List<String> lines, char escape) {
        this.fileName = fileName;
        this.lines = lines;
        this.escape = escape;
    }

    Dockerfile build(List<Directive> directives, List<Node> nodes) {
        List<Instruction.Arg> globalArgs = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        Instruction.From from = null;
        List<Instruction> current = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        for (Node node : nodes) {
            Instruction ins = instruction(node, false);
            if (ins instanceof Instruction.From f) {
                if (from != null) {
                    stages.add(new Stage(stages.size(), from.name(), from, current));
                }
                if (f.name() != null && !names.add(f.name())) {
                    throw error(node.pos(), "duplicate stage name \"" + f.name() + "\"");
                }
                from = f;
                current = new ArrayList<>();
            } else if (from == null) {
                if (ins instanceof Instruction.Arg a) {
                    globalArgs.add(a);
                } else {
                    throw error(node.pos(), node.keyword() + " before the first FROM: only ARG may come before FROM");
                }
            } else {
                current.add(ins);
            }
        }
        if (from == null) {
            SourcePos at = nodes.isEmpty() ? new SourcePos(1, 1, 1) : nodes.getLast().pos();
            if (nodes.isEmpty()) {
                throw new DockerfileException(fileName, 1, 1, null, "the Dockerfile has no instructions");
            }
            throw error(at, "no FROM instruction (a build needs at least one FROM)");
        }
        stages.add(new Stage(stages.size(), from.name(), from, current));
        return new Dockerfile(fileName, directives, escape, globalArgs, stages, nodes, lines);
    }

    /** One instruction on its own, as {@link DockerfileParser#parseTrigger} needs. */
    Instruction single(Node node) {
        return instruction(node, false);
    }

    private Instruction instruction(Node node, boolean trigger) {
        SourcePos pos = node.pos();
        String kw = node.keyword();
        Map<String, List<String>> flags = flags(node);
        String args = node.args();
        return switch (kw) {
            case "FROM" -> {
                List<String> words = fields(args);
                if (!(words.size() == 1 || words.size() == 3 && words.get(1).equalsIgnoreCase("as"))) {
                    throw error(pos, "FROM requires either one or three arguments (FROM image [AS name])");
                }
                String name = null;
                if (words.size() == 3) {
                    name = words.get(2);
                    if (!STAGE_NAME.matcher(name).matches()) {
                        throw error(pos, "invalid name for build stage: \"" + words.get(2)
                                + "\", name can't start with a number or contain symbols");
                    }
                }
                yield new Instruction.From(words.getFirst(), name, one(flags, "platform"), pos);
            }
            case "RUN" -> new Instruction.Run(command(node, args, "RUN", false), flags.getOrDefault("mount", List.of()),
                    one(flags, "network"), one(flags, "security"), node.heredocs(), pos);
            case "CMD" -> new Instruction.Cmd(command(node, args, "CMD", true), pos);
            case "ENTRYPOINT" -> new Instruction.Entrypoint(command(node, args, "ENTRYPOINT", true), pos);
            case "ENV" -> new Instruction.Env(nameValues(node, "ENV"), pos);
            case "LABEL" -> new Instruction.Label(nameValues(node, "LABEL"), pos);
            case "ARG" -> {
                List<String> words = words(args);
                if (words.isEmpty()) {
                    throw error(pos, "ARG requires at least one argument");
                }
                List<KeyValue> out = new ArrayList<>();
                for (String w : words) {
                    int eq = w.indexOf('=');
                    String name = eq < 0 ? w : w.substring(0, eq);
                    if (name.isEmpty()) {
                        throw error(pos, "ARG names can not be blank");
                    }
                    if (!ARG_NAME.matcher(name).matches()) {
                        throw error(pos, "invalid ARG name \"" + name
                                + "\": a name is letters, digits and _ and does not start with a digit");
                    }
                    out.add(new KeyValue(name, eq < 0 ? null : w.substring(eq + 1)));
                }
                yield new Instruction.Arg(out, pos);
            }
            case "MAINTAINER" -> new Instruction.Maintainer(exactlyOne(node, "MAINTAINER"), pos);
            case "USER" -> new Instruction.User(exactlyOne(node, "USER"), pos);
            case "WORKDIR" -> new Instruction.Workdir(exactlyOne(node, "WORKDIR"), pos);
            case "STOPSIGNAL" -> new Instruction.Stopsignal(exactlyOne(node, "STOPSIGNAL"), pos);
            case "EXPOSE" -> {
                List<String> ports = fields(args);
                if (ports.isEmpty()) {
                    throw error(pos, "EXPOSE requires at least one argument");
                }
                yield new Instruction.Expose(ports, pos);
            }
            case "VOLUME" -> {
                List<String> paths = list(node);
                if (paths.isEmpty()) {
                    throw error(pos, "VOLUME requires at least one argument");
                }
                for (String p : paths) {
                    if (p.isBlank()) {
                        throw error(pos, "VOLUME specified can not be an empty string");
                    }
                }
                yield new Instruction.Volume(paths, pos);
            }
            case "COPY", "ADD" -> copyOrAdd(node, flags);
            case "ONBUILD" -> onbuild(node, trigger);
            case "HEALTHCHECK" -> healthcheck(node, flags);
            case "SHELL" -> {
                List<String> shell = jsonOrNull(node);
                if (shell == null) {
                    throw error(pos, "SHELL requires the arguments to be in JSON form (SHELL [\"executable\", \"parameters\"])");
                }
                if (shell.isEmpty()) {
                    throw error(pos, "SHELL requires at least one argument");
                }
                yield new Instruction.Shell(shell, pos);
            }
            default -> throw error(pos, unknownInstruction(kw));
        };
    }

    private Instruction copyOrAdd(Node node, Map<String, List<String>> flags) {
        String kw = node.keyword();
        SourcePos pos = node.pos();
        List<String> json = jsonOrNull(node);
        List<String> words = json != null ? json : fields(node.args());
        if (words.size() < 2) {
            throw error(pos, kw + " requires at least two arguments (sources and a destination)");
        }
        List<String> sources = new ArrayList<>();
        List<Heredoc> heredocs = new ArrayList<>();
        int h = 0;
        for (String w : words.subList(0, words.size() - 1)) {
            if (json == null && DockerfileParser.heredocMarker(w, escape) != null && h < node.heredocs().size()) {
                heredocs.add(node.heredocs().get(h++));
            } else {
                sources.add(w);
            }
        }
        String dest = words.getLast();
        List<String> excludes = flags.getOrDefault("exclude", List.of());
        if (kw.equals("COPY")) {
            return new Instruction.Copy(sources, heredocs, dest, one(flags, "from"), one(flags, "chown"),
                    one(flags, "chmod"), bool(flags, "link"), bool(flags, "parents"), excludes, pos);
        }
        return new Instruction.Add(sources, heredocs, dest, one(flags, "chown"), one(flags, "chmod"),
                bool(flags, "link"), one(flags, "checksum"), bool(flags, "keep-git-dir"), excludes, pos);
    }

    private Instruction onbuild(Node node, boolean trigger) {
        SourcePos pos = node.pos();
        if (trigger) {
            throw error(pos, "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        }
        String expr = node.args().strip();
        if (expr.isEmpty()) {
            throw error(pos, "ONBUILD requires at least one argument");
        }
        String[] kw = DockerfileParser.splitKeyword(expr);
        String keyword = kw[0].toUpperCase(Locale.ROOT);
        switch (keyword) {
            case "ONBUILD" -> throw error(pos, "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
            case "FROM", "MAINTAINER" -> throw error(pos, keyword + " isn't allowed as an ONBUILD trigger");
            default -> {
                if (!KEYWORDS.contains(keyword)) {
                    throw error(pos, unknownInstruction(kw[0]));
                }
            }
        }
        List<String> innerFlags = new ArrayList<>();
        String args = DockerfileParser.extractFlags(kw[1], innerFlags, escape);
        Node inner = new Node(keyword, innerFlags, args, List.of(), pos, expr);
        return new Instruction.Onbuild(instruction(inner, true), expr, pos);
    }

    private Instruction healthcheck(Node node, Map<String, List<String>> flags) {
        SourcePos pos = node.pos();
        String[] kw = DockerfileParser.splitKeyword(node.args().strip());
        String type = kw[0].toUpperCase(Locale.ROOT);
        if (type.isEmpty()) {
            throw error(pos, "HEALTHCHECK requires at least one argument (NONE or CMD command)");
        }
        if (type.equals("NONE")) {
            if (!kw[1].isEmpty()) {
                throw error(pos, "HEALTHCHECK NONE takes no arguments");
            }
            if (!flags.isEmpty()) {
                throw error(pos, "HEALTHCHECK NONE takes no options");
            }
            return new Instruction.Healthcheck(true, null, null, null, null, null, null, pos);
        }
        if (!type.equals("CMD")) {
            throw error(pos, "unknown type \"" + kw[0] + "\" in HEALTHCHECK (try CMD)");
        }
        Command cmd = command(node, kw[1], "HEALTHCHECK CMD", false);
        Integer retries = null;
        String r = one(flags, "retries");
        if (r != null) {
            try {
                retries = Integer.parseInt(r);
            } catch (NumberFormatException e) {
                throw flagError(node, "retries", "--retries must be a whole number, not \"" + r + "\"");
            }
            if (retries < 0) {
                throw flagError(node, "retries", "--retries cannot be negative (" + r + ")");
            }
        }
        return new Instruction.Healthcheck(false, cmd, duration(node, flags, "interval"), duration(node, flags, "timeout"),
                duration(node, flags, "start-period"), duration(node, flags, "start-interval"), retries, pos);
    }

    private Duration duration(Node node, Map<String, List<String>> flags, String name) {
        String v = one(flags, name);
        if (v == null) {
            return null;
        }
        Duration d = parseGoDuration(v);
        if (d == null) {
            throw flagError(node, name, "--" + name + ": invalid duration \"" + v + "\" (write it as 30s, 1m30s, 500ms)");
        }
        if (!d.isZero() && d.compareTo(Duration.ofMillis(1)) < 0) {
            throw flagError(node, name, "--" + name + " cannot be less than 1ms");
        }
        return d;
    }

    /** Go's time.ParseDuration for non-negative values; null if malformed. */
    static Duration parseGoDuration(String s) {
        return GoDuration.parse(s);
    }

    /** RUN, CMD, ENTRYPOINT, HEALTHCHECK CMD: exec form if valid JSON, else shell form. */
    private Command command(Node node, String args, String what, boolean emptyExecOk) {
        List<String> json;
        try {
            json = JsonArray.parse(args);
        } catch (JsonArray.NotStrings e) {
            throw error(node.pos(), e.getMessage());
        }
        if (json != null) {
            if (json.isEmpty() && !emptyExecOk) {
                throw error(node.pos(), what + " requires at least one argument");
            }
            return new Command(json, false);
        }
        if (args.isBlank()) {
            throw error(node.pos(), what + " requires at least one argument");
        }
        return new Command(List.of(args), true);
    }

    private List<String> jsonOrNull(Node node) {
        try {
            return JsonArray.parse(node.args());
        } catch (JsonArray.NotStrings e) {
            throw error(node.pos(), e.getMessage());
        }
    }

    /** JSON array or whitespace-separated words (COPY, ADD, VOLUME). */
    private List<String> list(Node node) {
        List<String> json = jsonOrNull(node);
        return json != null ? json : fields(node.args());
    }

    private String exactlyOne(Node node, String kw) {
        String v = node.args().strip();
        if (v.isEmpty()) {
            throw error(node.pos(), kw + " requires exactly one argument");
        }
        return v;
    }

    /** ENV and LABEL: {@code name value} (legacy) or {@code name=value ...}. */
    private List<KeyValue> nameValues(Node node, String kw) {
        String rest = node.args().strip();
        List<String> words = words(rest);
        if (words.isEmpty()) {
            throw error(node.pos(), kw + " requires at least one argument");
        }
        List<KeyValue> out = new ArrayList<>();
        if (!words.getFirst().contains("=")) {
            String[] kv = DockerfileParser.splitKeyword(rest);
            if (kv[1].isEmpty()) {
                throw error(node.pos(), kw + " must have two arguments (" + kw + " name value) or be " + kw
                        + " name=value");
            }
            out.add(new KeyValue(kv[0], kv[1]));
            return out;
        }
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq < 0) {
                throw error(node.pos(), "syntax error - can't find = in \"" + w + "\". Must be of the form: name=value");
            }
            if (eq == 0) {
                throw error(node.pos(), kw + " names can not be blank");
            }
            out.add(new KeyValue(w.substring(0, eq), w.substring(eq + 1)));
        }
        return out;
    }

    /** Words split on unquoted whitespace, quotes and escapes kept (BuildKit's parseWords). */
    List<String> words(String rest) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean blankOk = false;
        char quote = 0;
        int n = rest.length();
        for (int i = 0; i < n; i++) {
            char ch = rest.charAt(i);
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0;
                    word.append(ch);
                    continue;
                }
                if (ch == escape && quote != '\'') {
                    if (i + 1 == n) {
                        continue;
                    }
                    word.append(ch);
                    ch = rest.charAt(++i);
                }
                word.append(ch);
                continue;
            }
            if (Character.isWhitespace(ch)) {
                if (inWord && (blankOk || !word.isEmpty())) {
                    out.add(word.toString());
                }
                word.setLength(0);
                inWord = false;
                blankOk = false;
                continue;
            }
            inWord = true;
            if (ch == '\'' || ch == '"') {
                quote = ch;
                blankOk = true;
            } else if (ch == escape) {
                if (i + 1 == n) {
                    continue;
                }
                word.append(ch);
                ch = rest.charAt(++i);
            }
            word.append(ch);
        }
        if (inWord && (blankOk || !word.isEmpty())) {
            out.add(word.toString());
        }
        return out;
    }

    /** Whitespace-separated words, quotes not special (FROM, EXPOSE, shell-form COPY/ADD/VOLUME). */
    static List<String> fields(String s) {
        List<String> out = new ArrayList<>();
        for (String w : s.strip().split("[ \t\u000B\f\r\n]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    private Map<String, List<String>> flags(Node node) {
        Map<String, Kind> allowed = FLAGS.getOrDefault(node.keyword(), Map.of());
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String f : node.flags()) {
            String body = f.substring(2);
            int eq = body.indexOf('=');
            String name = eq < 0 ? body : body.substring(0, eq);
            String value = eq < 0 ? null : body.substring(eq + 1);
            Kind kind = allowed.get(name);
            if (kind == null) {
                throw flagError(node, name, "unknown flag: --" + name + " (" + node.keyword() + " accepts "
                        + (allowed.isEmpty() ? "no flags" : String.join(" ", allowed.keySet().stream().sorted()
                                .map(s -> "--" + s).toList())) + ")");
            }
            if (kind == Kind.BOOL) {
                if (value == null || value.isEmpty()) {
                    value = "true";
                } else if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                    throw flagError(node, name, "expecting boolean value for flag --" + name + ", not: " + value);
                }
                value = value.toLowerCase(Locale.ROOT);
            } else if (value == null) {
                throw flagError(node, name, "missing a value on flag: --" + name);
            }
            if (kind != Kind.REPEAT && out.containsKey(name)) {
                throw flagError(node, name, "duplicate flag specified: --" + name);
            }
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static String one(Map<String, List<String>> flags, String name) {
        List<String> v = flags.get(name);
        return v == null ? null : v.getFirst();
    }

    private static boolean bool(Map<String, List<String>> flags, String name) {
        return "true".equals(one(flags, name));
    }

    static String unknownInstruction(String word) {
        String up = word.toUpperCase(Locale.ROOT);
        String best = null;
        int bestDistance = 3;
        for (String k : KEYWORDS) {
            int d = distance(up, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        String shown = word.length() > 40 ? word.substring(0, 40) + "..." : word;
        return "unknown instruction \"" + shown + "\"" + (best == null ? "" : " (did you mean " + best + "?)");
    }

    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2) {
            return 99;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private DockerfileException error(SourcePos pos, String reason) {
        String src = pos.line() >= 1 && pos.line() <= lines.size() ? lines.get(pos.line() - 1) : null;
        return new DockerfileException(fileName, pos.line(), pos.column(), src, reason);
    }

    /** An error about a flag, at the line and column of the flag when it can be found. */
    private DockerfileException flagError(Node node, String name, String reason) {
        SourcePos pos = node.pos();
        for (int l = pos.line(); l <= pos.endLine() && l <= lines.size(); l++) {
            int at = lines.get(l - 1).indexOf("--" + name);
            if (at >= 0) {
                return new DockerfileException(fileName, l, at + 1, lines.get(l - 1), reason);
            }
        }
        return error(pos, reason);
    }
}

package dev.kiln.dockerfile;

import dev.kiln.dockerfile.Instruction.Command;
import dev.kiln.dockerfile.Instruction.KeyValue;
import java.util.List;
import java.util.stream.Collectors;

/** A stable text dump of a parsed Dockerfile: one line per instruction, with its position. */
final class DockerfileDump {
    private DockerfileDump() {
    }

    static String dump(Dockerfile d) {
        StringBuilder b = new StringBuilder();
        b.append("escape ").append(q(String.valueOf(d.escape()))).append('\n');
        for (Directive dir : d.directives()) {
            b.append("directive ").append(dir.line()).append(' ').append(dir.name()).append('=')
                    .append(q(dir.value())).append('\n');
        }
        for (Instruction.Arg a : d.globalArgs()) {
            b.append("global ").append(line(a)).append('\n');
        }
        for (Stage s : d.stages()) {
            b.append("stage ").append(s.index()).append(" name=").append(q(s.name())).append('\n');
            b.append("  ").append(line(s.from())).append('\n');
            for (Instruction i : s.instructions()) {
                b.append("  ").append(line(i)).append('\n');
                List<Heredoc> docs = switch (i) {
                    case Instruction.Run r -> r.heredocs();
                    case Instruction.Copy c -> c.heredocs();
                    case Instruction.Add a -> a.heredocs();
                    default -> List.of();
                };
                for (Heredoc h : docs) {
                    b.append("    heredoc name=").append(q(h.name())).append(" expand=").append(h.expand())
                            .append(" chomp=").append(h.chomp()).append(" fd=").append(h.fileDescriptor())
                            .append(" content=").append(q(h.content())).append('\n');
                }
            }
        }
        return b.toString();
    }

    static String line(Instruction i) {
        return i.pos() + " " + i.keyword() + fields(i);
    }

    private static String fields(Instruction i) {
        return switch (i) {
            case Instruction.From f -> " image=" + q(f.image()) + " name=" + q(f.name()) + " platform=" + q(f.platform());
            case Instruction.Run r -> " " + cmd(r.command()) + " mounts=" + ql(r.mounts()) + " network="
                    + q(r.network()) + " security=" + q(r.security());
            case Instruction.Cmd c -> " " + cmd(c.command());
            case Instruction.Entrypoint e -> " " + cmd(e.command());
            case Instruction.Env e -> " " + kvs(e.pairs());
            case Instruction.Arg a -> " " + kvs(a.args());
            case Instruction.Label l -> " " + kvs(l.pairs());
            case Instruction.Maintainer m -> " " + q(m.name());
            case Instruction.Expose e -> " " + ql(e.ports());
            case Instruction.Volume v -> " " + ql(v.paths());
            case Instruction.User u -> " " + q(u.user());
            case Instruction.Workdir w -> " " + q(w.path());
            case Instruction.Stopsignal s -> " " + q(s.signal());
            case Instruction.Shell s -> " " + ql(s.shell());
            case Instruction.Copy c -> " sources=" + ql(c.sources()) + " heredocs=" + c.heredocs().size() + " dest="
                    + q(c.dest()) + " from=" + q(c.from()) + " chown=" + q(c.chown()) + " chmod=" + q(c.chmod())
                    + " link=" + c.link() + " parents=" + c.parents() + " excludes=" + ql(c.excludes());
            case Instruction.Add a -> " sources=" + ql(a.sources()) + " heredocs=" + a.heredocs().size() + " dest="
                    + q(a.dest()) + " chown=" + q(a.chown()) + " chmod=" + q(a.chmod()) + " link=" + a.link()
                    + " checksum=" + q(a.checksum()) + " keepGitDir=" + a.keepGitDir() + " excludes="
                    + ql(a.excludes());
            case Instruction.Onbuild o -> " expression=" + q(o.expression()) + " trigger={" + o.trigger().keyword()
                    + fields(o.trigger()) + "}";
            case Instruction.Healthcheck h -> h.none() ? " NONE" : " " + cmd(h.command()) + " interval=" + h.interval()
                    + " timeout=" + h.timeout() + " startPeriod=" + h.startPeriod() + " startInterval="
                    + h.startInterval() + " retries=" + h.retries();
        };
    }

    private static String cmd(Command c) {
        return c.shellForm() ? "shell=" + q(c.args().getFirst()) : "exec=" + ql(c.args());
    }

    private static String kvs(List<KeyValue> kvs) {
        return kvs.stream().map(kv -> q(kv.key()) + "=" + q(kv.value())).collect(Collectors.joining(" "));
    }

    static String ql(List<String> l) {
        return l.stream().map(DockerfileDump::q).collect(Collectors.joining(",", "[", "]"));
    }

    static String q(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }
}

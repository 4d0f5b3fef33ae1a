package dev.kiln.dockerfile;

import java.util.List;

/**
 * A parsed Dockerfile: its parser directives, the escape character in force, the ARGs before
 * the first FROM ({@code globalArgs}), the stages in order, and the untyped nodes of every
 * instruction (the same instructions, flat, as written). {@code lines} are the source lines, for
 * error messages.
 */
public record Dockerfile(String fileName, List<Directive> directives, char escape, List<Instruction.Arg> globalArgs,
        List<Stage> stages, List<Node> nodes, List<String> lines) {
    public Dockerfile {
        directives = List.copyOf(directives);
        globalArgs = List.copyOf(globalArgs);
        stages = List.copyOf(stages);
        nodes = List.copyOf(nodes);
        lines = List.copyOf(lines);
    }

    /**
     * The stage named {@code name} (case-sensitive, as buildah matches them; Docker would lowercase)
     * or with that index as a number, or null.
     */
    public Stage stage(String nameOrIndex) {
        for (Stage s : stages) {
            if (s.name() != null && s.name().equals(nameOrIndex)) {
                return s;
            }
        }
        if (nameOrIndex.matches("[0-9]{1,9}")) {
            int i = Integer.parseInt(nameOrIndex);
            return i < stages.size() ? stages.get(i) : null;
        }
        return null;
    }

    /** The instruction's text as written (continuations joined), for history entries. */
    public String text(SourcePos pos) {
        for (Node n : nodes) {
            if (n.pos().line() == pos.line()) {
                return n.original();
            }
        }
        return null;
    }

    /** Gives an error raised without location (by {@link Expander}) the place of an instruction. */
    public DockerfileException locate(DockerfileException e, SourcePos pos) {
        String src = pos.line() >= 1 && pos.line() <= lines.size() ? lines.get(pos.line() - 1) : null;
        return e.at(fileName, pos.line(), pos.column(), src);
    }

    /** A new error at an instruction. */
    public DockerfileException error(SourcePos pos, String reason) {
        return locate(new DockerfileException(reason), pos);
    }
}

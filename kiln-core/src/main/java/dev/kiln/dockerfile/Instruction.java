package dev.kiln.dockerfile;

import java.time.Duration;
import java.util.List;

/**
 * A typed Dockerfile instruction. Values are kept as written (quotes and {@code $variables}
 * included) for the instructions the builder expands; {@link Expander#expands(Instruction)} says
 * which ones, and the executor expands them with the ARG/ENV environment of the moment.
 */
public sealed interface Instruction permits Instruction.From, Instruction.Run, Instruction.Cmd,
        Instruction.Entrypoint, Instruction.Env, Instruction.Arg, Instruction.Label, Instruction.Maintainer,
        Instruction.Expose, Instruction.Volume, Instruction.User, Instruction.Workdir, Instruction.Copy,
        Instruction.Add, Instruction.Onbuild, Instruction.Stopsignal, Instruction.Healthcheck,
        Instruction.Shell {

    SourcePos pos();

    /** The keyword in upper case. */
    default String keyword() {
        return getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * A command of RUN, CMD, ENTRYPOINT or HEALTHCHECK: exec form (JSON array, {@code args} as given)
     * or shell form ({@code args} is one element, the command line to give to the SHELL).
     */
    record Command(List<String> args, boolean shellForm) {
        public Command {
            args = List.copyOf(args);
        }
    }

    /** {@code name=value}; for ARG the value is null when there is no default. */
    record KeyValue(String key, String value) {
    }

    /** {@code FROM [--platform=p] image [AS name]}; name as written (stage names are case-sensitive, as in buildah) or null. */
    record From(String image, String name, String platform, SourcePos pos) implements Instruction {
    }

    /** {@code RUN [--mount=...]... [--network=...] [--security=...] command}, with its heredocs. */
    record Run(Command command, List<String> mounts, String network, String security, List<Heredoc> heredocs,
            SourcePos pos) implements Instruction {
        public Run {
            mounts = List.copyOf(mounts);
            heredocs = List.copyOf(heredocs);
        }
    }

    record Cmd(Command command, SourcePos pos) implements Instruction {
    }

    record Entrypoint(Command command, SourcePos pos) implements Instruction {
    }

    /** Both forms ({@code ENV k v} and {@code ENV k=v k2="v 2"}); values as written. */
    record Env(List<KeyValue> pairs, SourcePos pos) implements Instruction {
        public Env {
            pairs = List.copyOf(pairs);
        }
    }

    /** {@code ARG name[=default] ...}; a null value means no default. */
    record Arg(List<KeyValue> args, SourcePos pos) implements Instruction {
        public Arg {
            args = List.copyOf(args);
        }
    }

    record Label(List<KeyValue> pairs, SourcePos pos) implements Instruction {
        public Label {
            pairs = List.copyOf(pairs);
        }
    }

    record Maintainer(String name, SourcePos pos) implements Instruction {
    }

    record Expose(List<String> ports, SourcePos pos) implements Instruction {
        public Expose {
            ports = List.copyOf(ports);
        }
    }

    record Volume(List<String> paths, SourcePos pos) implements Instruction {
        public Volume {
            paths = List.copyOf(paths);
        }
    }

    record User(String user, SourcePos pos) implements Instruction {
    }

    record Workdir(String path, SourcePos pos) implements Instruction {
    }

    /**
     * COPY: {@code sources} are the path sources as written, {@code heredocs} the here-document
     * sources (their file name in the destination is {@link Heredoc#name()}); flags are null/false/
     * empty when absent.
     */
    record Copy(List<String> sources, List<Heredoc> heredocs, String dest, String from, String chown, String chmod,
            boolean link, boolean parents, List<String> excludes, SourcePos pos) implements Instruction {
        public Copy {
            sources = List.copyOf(sources);
            heredocs = List.copyOf(heredocs);
            excludes = List.copyOf(excludes);
        }
    }

    /** ADD: as COPY, with {@code --checksum} and {@code --keep-git-dir} instead of {@code --from}. */
    record Add(List<String> sources, List<Heredoc> heredocs, String dest, String chown, String chmod, boolean link,
            String checksum, boolean keepGitDir, List<String> excludes, SourcePos pos) implements Instruction {
        public Add {
            sources = List.copyOf(sources);
            heredocs = List.copyOf(heredocs);
            excludes = List.copyOf(excludes);
        }
    }

    /**
     * ONBUILD: the parsed trigger and its text as written ({@code expression}, what goes into the
     * image config's OnBuild list).
     */
    record Onbuild(Instruction trigger, String expression, SourcePos pos) implements Instruction {
    }

    record Stopsignal(String signal, SourcePos pos) implements Instruction {
    }

    /**
     * HEALTHCHECK NONE ({@code none}, everything else null) or HEALTHCHECK [options] CMD command.
     * Durations and retries are null when not given.
     */
    record Healthcheck(boolean none, Command command, Duration interval, Duration timeout, Duration startPeriod,
            Duration startInterval, Integer retries, SourcePos pos) implements Instruction {
    }

    /** SHELL ["executable", "parameters"...] (JSON form only). */
    record Shell(List<String> shell, SourcePos pos) implements Instruction {
        public Shell {
            shell = List.copyOf(shell);
        }
    }
}

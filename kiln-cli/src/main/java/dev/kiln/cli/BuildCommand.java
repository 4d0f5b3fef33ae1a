package dev.kiln.cli;

import dev.kiln.BuildRequest;
import dev.kiln.Kiln;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "build", aliases = "bud", mixinStandardHelpOptions = true,
        description = {"Builds an image from a Dockerfile (Containerfile) and prints STEP lines, RUN output and the image id.",
                "Every RUN runs in a working container; RUN, COPY and ADD each commit a layer, kept in the build cache:",
                "a rebuild reuses every step whose inputs did not change (--no-cache: none; --layers=false: one layer per stage).",
                "CONTEXT is a directory, a tar archive (optionally compressed), or - for a tar stream on stdin.",
                "Without --timestamp, the SOURCE_DATE_EPOCH environment variable (epoch seconds) sets the timestamp."},
        footer = {"", "Example: kiln build -t localhost/app:1.0 --build-arg VERSION=1.0 ."})
final class BuildCommand implements Callable<Integer> {
    enum Format { oci, docker }

    enum Network { host, none }

    enum Isolation { oci, chroot }

    enum Progress { auto, plain, tty }

    @Option(names = "--progress", paramLabel = "MODE",
            description = "auto (default: a compact live view on a terminal, plain lines otherwise), plain or tty.")
    Progress progress = Progress.auto;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = {"-t", "--tag"}, paramLabel = "NAME", description = "Name the image (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "The Dockerfile; - reads it from stdin (default: CONTEXT/Containerfile or CONTEXT/Dockerfile).")
    String file;

    @Option(names = "--build-arg", paramLabel = "K=V", description = "Set a build argument (repeatable); K alone takes it from the environment.")
    List<String> buildArgs = new ArrayList<>();

    @Option(names = "--target", paramLabel = "STAGE", description = "Build up to this stage (name or index).")
    String target;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "Image format: ${COMPLETION-CANDIDATES} (docker keeps Healthcheck, OnBuild, Shell; default: oci).")
    Format format = Format.oci;

    @Option(names = "--timestamp", paramLabel = "EPOCH", description = "Created time and every file's mtime, in seconds since the epoch.")
    Long timestamp;

    @Option(names = "--network", paramLabel = "N", description = "RUN's network: ${COMPLETION-CANDIDATES} (default: host).")
    Network network;

    @Option(names = "--runtime", paramLabel = "R", description = "OCI runtime for RUN: runc (default), crun or a path.")
    String runtime;

    @Option(names = "--isolation", paramLabel = "I", description = "${COMPLETION-CANDIDATES} (default: oci).")
    Isolation isolation;

    @Option(names = "--squash", description = "Commit the final image as one layer.")
    boolean squash;

    @Option(names = "--iidfile", paramLabel = "FILE", description = "Write the image id (sha256:HEX) to FILE.")
    Path iidfile;

    @Option(names = {"-q", "--quiet"}, description = "Print no STEP lines, only RUN output and the image id.")
    boolean quiet;

    @Option(names = "--layers", arity = "0..1", paramLabel = "BOOL", fallbackValue = "true",
            description = "Commit each RUN/COPY/ADD as a layer and use the build cache (default: true).")
    boolean layers = true;

    @Option(names = "--no-cache", description = "Use nothing from the build cache (the steps still enter it).")
    boolean noCache;

    @Option(names = "--cache-from", paramLabel = "REPO", split = ",",
            description = "Look cache steps up in this registry repository too (repeatable).")
    List<String> cacheFrom = new ArrayList<>();

    @Option(names = "--cache-to", paramLabel = "REPO", split = ",",
            description = "Push every newly built cache step to this registry repository (repeatable).")
    List<String> cacheTo = new ArrayList<>();

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Stages built at once (default: the number of cores).")
    int jobs;

    @Option(names = "--pull", arity = "0..1", paramLabel = "POLICY", fallbackValue = "always",
            description = "When to pull FROM images: always, missing (default), never; --pull alone means always.")
    String pull;

    @Option(names = "--pull-never", description = "Never pull: FROM images must be in the store.")
    boolean pullNever;

    @Option(names = {"-v", "--volume"}, paramLabel = "HOST:CTR[:ro]", description = "Bind mount for every RUN (repeatable; never in a layer).")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--label", paramLabel = "K=V", description = "Set a label on the final image (repeatable).")
    List<String> labels = new ArrayList<>();

    @Option(names = "--annotation", paramLabel = "K=V", description = "Set a manifest annotation on the final image (repeatable).")
    List<String> annotations = new ArrayList<>();

    @Option(names = "--compression-format", paramLabel = "F",
            description = "Compress committed layers: none (default, as buildah), gzip or zstd.")
    String compression;

    @Option(names = "--build-arg-file", paramLabel = "FILE",
            description = "Read build arguments from FILE, one K=V per line (# comments and blank lines skipped).")
    List<Path> buildArgFiles = new ArrayList<>();

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONTEXT",
            description = "The build context: a directory, a tar archive, or - for a tar stream on stdin (default: .).")
    String context = ".";

    @Override
    public Integer call() throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        List<String> argLines = new ArrayList<>();
        for (Path f : buildArgFiles) {
            List<String> lines;
            try {
                lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new ParameterException(spec.commandLine(), "--build-arg-file " + f + ": cannot read it (" + e.getMessage() + ")");
            }
            for (String line : lines) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) argLines.add(t);
            }
        }
        argLines.addAll(buildArgs);
        for (String a : argLines) {
            int eq = a.indexOf('=');
            if (eq == 0) throw new ParameterException(spec.commandLine(), "--build-arg '" + a + "' is not K=V");
            if (eq < 0) {
                String v = System.getenv(a);
                if (v != null) args.put(a, v);
            } else {
                args.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        Long ts = timestamp;
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (ts == null && epoch != null && !epoch.isBlank()) {
            try {
                ts = Long.parseLong(epoch.strip());
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "SOURCE_DATE_EPOCH must be seconds since the epoch, not '" + epoch + "'");
            }
        }
        Path stdinFile = null;
        Path dockerfile = null;
        if ("-".equals(file) && "-".equals(context)) {
            throw new ParameterException(spec.commandLine(), "-f - and a context of - both want stdin: give one of them as a file");
        }
        if ("-".equals(file)) {
            stdinFile = Files.createTempFile("kiln-build-", ".Dockerfile");
            Files.write(stdinFile, System.in.readAllBytes());
            dockerfile = stdinFile;
        } else if (file != null) {
            dockerfile = Path.of(file);
        }
        PrintWriter out = spec.commandLine().getOut();
        String policy = pullNever ? "never" : pull == null ? "missing" : switch (pull) {
            case "true" -> "always";
            case "false" -> "missing";
            default -> pull;
        };
        boolean live = switch (progress) {
            case tty -> true;
            case plain -> false;
            case auto -> !quiet && System.console() != null && System.console().isTerminal();
        };
        LiveView view = live ? new LiveView(out) : null;
        BuildRequest.Builder b = "-".equals(context) ? BuildRequest.builder(null).contextStream(System.in)
                : BuildRequest.builder(Path.of(context));
        BuildRequest request = b.dockerfile(dockerfile).tags(tags).buildArgs(args).target(target).format(format.name())
                .timestamp(ts).network(network == null ? null : network.name()).runtime(runtime)
                .isolation(isolation == null ? null : isolation.name()).squash(squash).iidfile(iidfile).quiet(quiet)
                .progress(new PrintStream(view != null ? view : new WriterStream(out), true, StandardCharsets.UTF_8)).layers(layers)
                .noCache(noCache).cacheFrom(cacheFrom).cacheTo(cacheTo).jobs(jobs).pull(policy).volumes(volumes)
                .labels(keyValues("--label", labels)).annotations(keyValues("--annotation", annotations))
                .compression(compression).build();
        boolean ok = false;
        try {
            int code = RunCommand.runStoppable(() -> {
                try (Kiln kiln = main.openStore()) {
                    kiln.build(request);
                    return 0;
                }
            });
            ok = code == 0;
            return code;
        } finally {
            if (view != null) view.finish(!ok);
            out.flush();
            if (stdinFile != null) Files.deleteIfExists(stdinFile);
        }
    }

    private Map<String, String> keyValues(String flag, List<String> items) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : items) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new ParameterException(spec.commandLine(), flag + " '" + kv + "' is not K=V");
            out.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return out;
    }

    /** Bytes to the command line's writer, decoded as UTF-8 a line at a time (RUN output streams as it comes). */
    private static final class WriterStream extends OutputStream {
        private final PrintWriter out;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        WriterStream(PrintWriter out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) {
            buf.write(b);
            if (b == '\n') flush();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            buf.write(b, off, len);
            for (int i = off + len - 1; i >= off; i--) {
                if (b[i] == '\n') {
                    flush();
                    break;
                }
            }
        }

        @Override
        public synchronized void flush() {
            if (buf.size() > 0) {
                out.write(buf.toString(StandardCharsets.UTF_8));
                buf.reset();
            }
            out.flush();
        }
    }
}

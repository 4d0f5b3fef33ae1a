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
                "Every RUN runs in a working container; each stage is committed as one layer (no layer cache yet).",
                "Without --timestamp, the SOURCE_DATE_EPOCH environment variable (epoch seconds) sets the timestamp."},
        footer = {"", "Example: kiln build -t localhost/app:1.0 --build-arg VERSION=1.0 ."})
final class BuildCommand implements Callable<Integer> {
    enum Format { oci, docker }

    enum Network { host, none }

    enum Isolation { oci, chroot }

    enum Pull { missing, never }

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

    @Option(names = "--pull", paramLabel = "POLICY",
            description = "Pull a FROM or COPY --from image the store lacks: ${COMPLETION-CANDIDATES} (default: missing).")
    Pull pull;

    @Option(names = "--pull-never", description = "Never pull: an image the store lacks is an error (--pull=never).")
    boolean pullNever;

    @Option(names = {"-q", "--quiet"}, description = "Print no STEP lines, only RUN output and the image id.")
    boolean quiet;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONTEXT", description = "The build context directory (default: .).")
    Path context = Path.of(".");

    @Override
    public Integer call() throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (String a : buildArgs) {
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
        if ("-".equals(file)) {
            stdinFile = Files.createTempFile("kiln-build-", ".Dockerfile");
            Files.write(stdinFile, System.in.readAllBytes());
            dockerfile = stdinFile;
        } else if (file != null) {
            dockerfile = Path.of(file);
        }
        PrintWriter out = spec.commandLine().getOut();
        BuildRequest request = new BuildRequest(context, dockerfile, tags, args, target, format.name(), ts,
                network == null ? null : network.name(), runtime, isolation == null ? null : isolation.name(), squash,
                iidfile, quiet, new PrintStream(new WriterStream(out), true, StandardCharsets.UTF_8),
                pullNever ? "never" : pull == null ? null : pull.name());
        try (Kiln kiln = main.openStore()) {
            return RunCommand.runStoppable(() -> {
                kiln.build(request);
                return 0;
            });
        } finally {
            out.flush();
            if (stdinFile != null) Files.deleteIfExists(stdinFile);
        }
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

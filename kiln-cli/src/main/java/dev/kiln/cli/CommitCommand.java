package dev.kiln.cli;

import dev.kiln.CommitOptions;
import dev.kiln.Kiln;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "commit", mixinStandardHelpOptions = true,
        description = {"Commits a working container as an image and prints the image id.",
                "Without --timestamp, the SOURCE_DATE_EPOCH environment variable (epoch seconds) sets the timestamp."},
        footer = {"", "Example: SOURCE_DATE_EPOCH=0 kiln commit --rm --format docker web localhost/web:1.0"})
final class CommitCommand extends VerbCommand {
    enum Format { oci, docker, v2s2 }

    enum Compression { gzip, zstd, none }

    @Option(names = "--squash", description = "Commit one layer holding the flattened base image plus the changes.")
    boolean squash;

    @Option(names = "--rm", description = "Remove the working container after committing.")
    boolean remove;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT",
            description = "Image format: ${COMPLETION-CANDIDATES} (v2s2 is docker; docker keeps Healthcheck, OnBuild, Shell; default: oci).")
    Format format = Format.oci;

    @Option(names = "--timestamp", paramLabel = "EPOCH",
            description = "Created time and every file's mtime, in seconds since the epoch, for reproducible images.")
    Long timestamp;

    @Option(names = "--compression-format", paramLabel = "FORMAT",
            description = "Compress the new layer: ${COMPLETION-CANDIDATES} (overrides --disable-compression).")
    Compression compression;

    @Option(names = {"-D", "--disable-compression"}, arity = "0..1", defaultValue = "true", fallbackValue = "true",
            paramLabel = "BOOL",
            description = "Store the new layer uncompressed (default: true, as buildah); --disable-compression=false gzips it.")
    boolean disableCompression;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but the image id (kiln prints no progress anyway).")
    boolean quiet;

    @Parameters(index = "0", paramLabel = "CTR", description = "The working container (name or id).")
    String container;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME",
            description = "Name of the new image, e.g. app or localhost/app:1.0 (default: unnamed).")
    String imageName;

    CommitOptions options(String sourceDateEpoch) {
        return new CommitOptions(squash, format == Format.oci ? "oci" : "docker", timestamp(sourceDateEpoch),
                compression(), remove, null);
    }

    private Long timestamp(String sourceDateEpoch) {
        if (timestamp != null || sourceDateEpoch == null || sourceDateEpoch.isBlank()) {
            return timestamp;
        }
        try {
            return Long.parseLong(sourceDateEpoch.strip());
        } catch (NumberFormatException e) {
            throw usage("SOURCE_DATE_EPOCH must be seconds since the epoch, not '" + sourceDateEpoch + "'");
        }
    }

    private String compression() {
        if (compression != null) {
            return compression.name();
        }
        return disableCompression ? "none" : "gzip";
    }

    @Override
    void run(Kiln kiln, PrintWriter out) {
        CommitOptions options = options(System.getenv("SOURCE_DATE_EPOCH"));
        out.println(kiln.container(container).commit(imageName, options).imageId());
    }
}

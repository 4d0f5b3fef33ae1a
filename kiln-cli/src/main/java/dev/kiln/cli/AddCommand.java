package dev.kiln.cli;

import picocli.CommandLine.Command;

@Command(name = "add", mixinStandardHelpOptions = true,
        description = "Copies files into a working container, extracting local tar archives (plain, gzip, zstd, bzip2, xz) at the destination.",
        footer = {"", "Example: kiln add --chown 1000:1000 web rootfs.tar.gz /"})
final class AddCommand extends CopyVerb {
    @Override
    boolean extract() {
        return true;
    }
}

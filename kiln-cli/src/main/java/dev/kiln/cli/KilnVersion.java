package dev.kiln.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** kiln's version (from the build), the Java runtime and the platform, for --version and {@code kiln version}. */
final class KilnVersion implements IVersionProvider {
    static String kilnVersion() {
        try (InputStream in = KilnVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("reading kiln's version.properties", e);
        }
    }

    static String javaVersion() {
        return Runtime.version().toString() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")";
    }

    /** The platform in OCI terms: linux/amd64, linux/arm64 ... */
    static String platform() {
        String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        String arch = switch (System.getProperty("os.arch", "unknown")) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case String other -> other;
        };
        return os + "/" + arch;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"kiln version " + kilnVersion()};
    }
}

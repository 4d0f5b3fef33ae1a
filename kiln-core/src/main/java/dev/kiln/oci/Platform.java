package dev.kiln.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The platform an image runs on (image-spec image-index.md, "platform"): {@code os} and
 * {@code architecture} in Go's GOOS/GOARCH names, an optional CPU {@code variant} ("v8" for
 * arm64, "v7" for arm), and for Windows an {@code osVersion} and {@code osFeatures}.
 */
public record Platform(String os, String architecture, String variant, String osVersion, List<String> osFeatures) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]+");

    public Platform {
        if (os == null || os.isEmpty()) throw new InvalidInputException("platform without an os");
        if (architecture == null || architecture.isEmpty()) {
            throw new InvalidInputException("platform without an architecture");
        }
        variant = Json.emptyToNull(variant);
        osVersion = Json.emptyToNull(osVersion);
        osFeatures = Json.copy(osFeatures);
    }

    public static Platform of(String os, String architecture, String variant) {
        return new Platform(os, architecture, variant, null, List.of());
    }

    /** Parses {@code os/arch[/variant]}, as in {@code --platform linux/arm64/v8}. */
    public static Platform parse(String unsafeText) {
        if (unsafeText == null) throw new InvalidInputException("missing platform (expected os/arch[/variant])");
        String[] parts = unsafeText.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new InvalidInputException("malformed platform '" + unsafeText + "' (expected os/arch[/variant], such as linux/amd64)");
        }
        for (String part : parts) {
            if (!NAME.matcher(part).matches()) {
                throw new InvalidInputException("malformed platform '" + unsafeText + "': '" + part
                        + "' is not a lowercase os, architecture or variant name");
            }
        }
        return of(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
    }

    /** The platform of the machine kiln runs on, in OCI names. */
    public static Platform host() {
        return of(hostOs(System.getProperty("os.name", "")), hostArch(System.getProperty("os.arch", "")),
                hostVariant(System.getProperty("os.arch", "")));
    }

    static String hostOs(String javaOsName) {
        String n = javaOsName.toLowerCase(Locale.ROOT);
        if (n.startsWith("linux")) return "linux";
        if (n.startsWith("mac") || n.startsWith("darwin")) return "darwin";
        if (n.startsWith("windows")) return "windows";
        if (n.startsWith("freebsd")) return "freebsd";
        return n.replaceAll("[^a-z0-9]", "");
    }

    /** Java's {@code os.arch} to GOARCH. */
    static String hostArch(String javaArch) {
        return switch (javaArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i486", "i586", "i686" -> "386";
            case "arm", "arm32", "armv7l", "armhf" -> "arm";
            case "ppc64le" -> "ppc64le";
            case "ppc64" -> "ppc64";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            case "loongarch64" -> "loong64";
            case "mips64el" -> "mips64le";
            case String other -> other;
        };
    }

    static String hostVariant(String javaArch) {
        return switch (hostArch(javaArch)) {
            case "arm64" -> "v8";
            case "arm" -> "v7";
            default -> null;
        };
    }

    public static Platform parse(byte[] unsafeJson) {
        return fromJson(Json.readObject(unsafeJson, "platform"), "platform");
    }

    static Platform fromJson(JsonNode node, String where) {
        ObjectNode o = Json.object(node, where);
        String os = Json.reqText(o, "os", where);
        String arch = Json.reqText(o, "architecture", where);
        if (os.isEmpty()) throw Json.missing(where + ".os");
        if (arch.isEmpty()) throw Json.missing(where + ".architecture");
        return new Platform(os, arch, Json.optText(o, "variant", where), Json.optText(o, "os.version", where),
                Json.stringList(o, "os.features", where));
    }

    ObjectNode toJsonNode() {
        ObjectNode o = Json.newObject();
        o.put("architecture", architecture);
        o.put("os", os);
        Json.putText(o, "os.version", osVersion);
        Json.putStrings(o, "os.features", osFeatures);
        Json.putText(o, "variant", variant);
        return o;
    }

    public byte[] toJson() {
        return Json.bytes(toJsonNode());
    }

    /** {@code linux/amd64} or {@code linux/arm64/v8}. */
    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}

package dev.kiln;

import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * ADD of a URL (issue 6): downloads an http(s) URL into a file of a directory the caller owns
 * (in the store's tmp/), verifying {@code --checksum} while it streams, as buildah and Docker do:
 * the file is named after the URL's last path segment, has mode 0600 and the server's
 * Last-Modified time. An HTTP error status or a checksum mismatch is one {@link KilnException}
 * line that names the URL; nothing is kept of a failed download.
 */
final class UrlFetcher {
    private static final Map<String, String> ALGORITHMS = Map.of("sha256", "SHA-256", "sha384", "SHA-384", "sha512", "SHA-512");

    /**
     * Made on the first download, not when the class is first used: every COPY asks {@link #isUrl},
     * and a client costs ~0.3–0.6 s to make (its SSLContext reads cacerts) and, once made, keeps a
     * selector thread that holds up the JVM's exit by ~0.3 s (issue 7, seen in W3's profile).
     */
    private static final class Client {
        static final HttpClient INSTANCE = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    private UrlFetcher() {}

    /** Whether an ADD source is a URL (a scheme, then {@code ://}) rather than a path of the context. */
    static boolean isUrl(String source) {
        return source.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");
    }

    /**
     * The file name a download of {@code url} gets: the last segment of its path, decoded, or
     * null when the path has none ({@code http://host/}).
     */
    static String fileName(URI url) {
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        String name = URLDecoder.decode(last.replace("+", "%2B"), StandardCharsets.UTF_8);
        return name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") ? null : name;
    }

    /**
     * Downloads {@code unsafeUrl} to {@code dir/name} and returns that file.
     *
     * @param checksum {@code ALGORITHM:HEX} (sha256, sha384, sha512) the content must have, or null
     */
    static Path fetch(String unsafeUrl, Path dir, String name, String checksum) {
        URI url = parse(unsafeUrl);
        MessageDigest expectedAlgorithm = checksum == null ? null : digest(checksum);
        Path file = dir.resolve(name);
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(30)).GET().build();
        try {
            HttpResponse<InputStream> response = Client.INSTANCE.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() / 100 != 2) {
                    throw new KilnException("downloading " + unsafeUrl + ": HTTP " + response.statusCode());
                }
                MessageDigest md = expectedAlgorithm != null ? expectedAlgorithm : sha256();
                try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = body.read(buf)) > 0; ) {
                        md.update(buf, 0, n);
                        out.write(buf, 0, n);
                    }
                }
                if (checksum != null) verify(unsafeUrl, checksum, md.digest());
            }
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            lastModified(response).ifPresent(t -> {
                try {
                    Files.setLastModifiedTime(file, t);
                } catch (IOException e) {
                    throw new KilnException("setting the time of " + file + ": " + e.getMessage(), e);
                }
            });
            return file;
        } catch (IOException e) {
            deleteQuietly(file);
            throw new KilnException("downloading " + unsafeUrl + ": " + describe(e), e);
        } catch (InterruptedException e) {
            deleteQuietly(file);
            Thread.currentThread().interrupt();
            throw new KilnException("downloading " + unsafeUrl + ": interrupted", e);
        } catch (RuntimeException e) {
            deleteQuietly(file);
            throw e;
        }
    }

    private static URI parse(String unsafeUrl) {
        URI url;
        try {
            url = URI.create(unsafeUrl);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("'" + unsafeUrl + "' is not a URL: " + e.getMessage(), e);
        }
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidInputException("ADD downloads http and https URLs only, not " + scheme + ": " + unsafeUrl);
        }
        if (url.getHost() == null) throw new InvalidInputException("'" + unsafeUrl + "' names no host");
        return url;
    }

    /** The digest {@code --checksum=ALGORITHM:HEX} names, checked for shape. */
    private static MessageDigest digest(String checksum) {
        int colon = checksum.indexOf(':');
        String algorithm = colon < 0 ? "" : checksum.substring(0, colon);
        String hex = colon < 0 ? "" : checksum.substring(colon + 1);
        String jca = ALGORITHMS.get(algorithm);
        if (jca == null) {
            throw new InvalidInputException("--checksum=" + checksum + ": expected sha256:HEX (or sha384:, sha512:)");
        }
        try {
            MessageDigest md = MessageDigest.getInstance(jca);
            if (!hex.matches("[0-9a-f]{" + md.getDigestLength() * 2 + "}")) {
                throw new InvalidInputException("--checksum=" + checksum + ": expected " + md.getDigestLength() * 2
                        + " lower-case hex digits after " + algorithm + ":");
            }
            return md;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void verify(String url, String checksum, byte[] actual) {
        String algorithm = checksum.substring(0, checksum.indexOf(':'));
        String got = algorithm + ":" + HexFormat.of().formatHex(actual);
        if (!got.equals(checksum)) {
            throw new KilnException("downloading " + url + ": checksum mismatch: expected " + checksum + ", got " + got);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static java.util.Optional<FileTime> lastModified(HttpResponse<?> response) {
        return response.headers().firstValue("Last-Modified").flatMap(v -> {
            try {
                return java.util.Optional.of(FileTime.from(ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()));
            } catch (DateTimeParseException e) {
                return java.util.Optional.empty(); // a server's odd date is not worth failing the build
            }
        });
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.net.ConnectException) return "cannot connect" + (m == null ? "" : " (" + m + ")");
        if (e instanceof java.net.http.HttpTimeoutException) return "timed out";
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // inside the caller's scratch directory, which it deletes
        }
    }
}

package dev.kiln.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest as the OCI image spec writes it: {@code algorithm:hex}. Only sha256 and sha512
 * are accepted, with the exact hex length the algorithm gives (image-spec, descriptor.md, "Digests").
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

    public Digest {
        switch (algorithm) {
            case "sha256" -> require(SHA256, hex, algorithm);
            case "sha512" -> require(SHA512, hex, algorithm);
            default -> throw new InvalidInputException("unsupported digest algorithm '" + algorithm
                    + "' (kiln reads sha256 and sha512 digests)");
        }
    }

    private static void require(Pattern p, String hex, String algorithm) {
        if (hex == null || !p.matcher(hex).matches()) {
            throw new InvalidInputException("malformed " + algorithm + " digest '" + algorithm + ":" + hex + "'");
        }
    }

    /** Parses {@code sha256:<64 hex>}; throws {@link InvalidInputException} on anything else. */
    public static Digest parse(String unsafeText) {
        if (unsafeText == null) throw new InvalidInputException("missing digest");
        int colon = unsafeText.indexOf(':');
        if (colon <= 0) throw new InvalidInputException("malformed digest '" + unsafeText + "' (expected sha256:<hex>)");
        return new Digest(unsafeText.substring(0, colon), unsafeText.substring(colon + 1));
    }

    /** True when {@code text} is a well-formed digest. */
    public static boolean isDigest(String text) {
        try {
            parse(text);
            return true;
        } catch (InvalidInputException e) {
            return false;
        }
    }

    public static Digest sha256(byte[] bytes) {
        return ofSha256(newSha256().digest(bytes));
    }

    /** Wraps a finished SHA-256 hash. */
    public static Digest ofSha256(byte[] hash) {
        return new Digest("sha256", HexFormat.of().formatHex(hash));
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** A hasher for this digest's algorithm. */
    public MessageDigest newHasher() {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + algorithm, e);
        }
    }

    /** The first 12 hex characters, as image ids are shown. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    @Override
    public int compareTo(Digest o) {
        return toString().compareTo(o.toString());
    }
}

package dev.kiln.registry;

import dev.kiln.oci.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user name and a secret (password or token) for one registry. {@link #toString()} never
 * shows the secret, so a record printed into a log or an exception message leaks nothing.
 */
public record Credentials(String username, String secret) {
    public Credentials {
        if (username == null || username.isEmpty()) throw new InvalidInputException("credentials without a user name");
        if (secret == null) throw new InvalidInputException("credentials for '" + username + "' without a password");
    }

    /** Parses {@code user:password} as {@code --creds} takes it (the password may contain ':'). */
    public static Credentials parse(String unsafeUserColonSecret) {
        if (unsafeUserColonSecret == null) throw new InvalidInputException("missing credentials");
        int colon = unsafeUserColonSecret.indexOf(':');
        if (colon <= 0) throw new InvalidInputException("credentials must be written user:password");
        return new Credentials(unsafeUserColonSecret.substring(0, colon), unsafeUserColonSecret.substring(colon + 1));
    }

    /** Decodes the {@code auth} field of an auth file: base64 of {@code user:password}. */
    static Credentials fromAuthField(String unsafeBase64, String where) {
        String text;
        try {
            text = new String(Base64.getDecoder().decode(unsafeBase64.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(where + ": the 'auth' field is not base64");
        }
        int colon = text.indexOf(':');
        if (colon <= 0) throw new InvalidInputException(where + ": the 'auth' field is not base64 of user:password");
        return new Credentials(text.substring(0, colon), text.substring(colon + 1));
    }

    /** Base64 of {@code user:secret}, as both auth files and HTTP Basic use it. */
    String base64() {
        return Base64.getEncoder().encodeToString((username + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[username=" + username + ", secret=<redacted>]";
    }
}

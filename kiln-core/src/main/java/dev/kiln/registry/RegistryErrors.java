package dev.kiln.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/** Turns failed exchanges into messages that say what was done, to what, and what to try. */
final class RegistryErrors {
    private RegistryErrors() {}

    static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_BODY = 64 * 1024;

    /** The exception for a response with an unexpected status; reads (a bounded part of) the body. */
    static KilnException forStatus(String registry, Request req, int status, InputStream body) {
        String detail = describeBody(body);
        String what = req.action() + ": " + status + " " + reason(status) + (detail.isEmpty() ? "" : " (" + detail + ")");
        return switch (status) {
            case 401 -> new KilnException(what + ": check the credentials (kiln login " + registry + ")");
            case 403 -> new KilnException(what + ": the credentials are not allowed to do this (kiln login " + registry + ")");
            case 404 -> new NotFoundException(what);
            case 429 -> new TransientException(what + ": the registry is rate limiting; try again later", null);
            default -> status >= 500 ? new TransientException(what + ": the registry failed", null) : new KilnException(what);
        };
    }

    static String reason(int status) {
        return switch (status) {
            case 400 -> "bad request";
            case 401 -> "unauthorized";
            case 403 -> "denied";
            case 404 -> "not found";
            case 405 -> "method not allowed (the registry may be read-only or not allow this operation)";
            case 409 -> "conflict";
            case 413 -> "payload too large";
            case 416 -> "range not satisfiable";
            case 429 -> "too many requests";
            case 500 -> "internal server error";
            case 502 -> "bad gateway";
            case 503 -> "service unavailable";
            case 504 -> "gateway timeout";
            default -> "HTTP error";
        };
    }

    /**
     * The registry's {@code errors[].code: message} list (distribution spec, "Error Codes"), or a
     * short printable prefix of a non-JSON body. Never includes request headers.
     */
    static String describeBody(InputStream body) {
        if (body == null) return "";
        byte[] bytes;
        try (body) {
            bytes = body.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            return "";
        }
        if (bytes.length == 0) return "";
        try {
            JsonNode errors = JSON.readTree(bytes).path("errors");
            if (errors.isArray() && !errors.isEmpty()) {
                List<String> parts = new ArrayList<>();
                for (JsonNode e : errors) {
                    String code = e.path("code").asText("");
                    String message = e.path("message").asText("");
                    parts.add(code.isEmpty() ? message : message.isEmpty() ? code : code + ": " + message);
                }
                return String.join("; ", parts);
            }
        } catch (IOException e) {
            // not JSON: fall through to a printable prefix
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
        text = text.replaceAll("[^\\x20-\\x7e]", "?");
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    /** Says what an I/O error means for someone trying to reach {@code host}. */
    static String describeIo(String host, IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException || t instanceof javax.net.ssl.SSLPeerUnverifiedException
                    || t instanceof java.security.cert.CertificateException) {
                return "TLS handshake with " + host + " failed, the server's certificate is not trusted ("
                        + firstLine(t) + "); if the registry uses a private CA, pass its certificate with --cert-dir DIR "
                        + "(a directory of *.crt files), or --tls-verify=false to skip verification";
            }
            if (t instanceof SSLException) {
                return "TLS connection to " + host + " failed (" + firstLine(t)
                        + "); if the registry speaks plain HTTP, use --tls-verify=false";
            }
            if (t instanceof ConnectException) return "cannot connect to " + host + " (" + firstLine(t) + ")";
            if (t instanceof HttpTimeoutException) return "no answer from " + host + " in time";
        }
        return "connection to " + host + " failed (" + firstLine(e) + ")";
    }

    static boolean isRetryableIo(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException || t instanceof javax.net.ssl.SSLPeerUnverifiedException) return false;
        }
        return true;
    }

    /** The first line of the first message in the cause chain, in words (never a bare class name). */
    private static String firstLine(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.nio.channels.UnresolvedAddressException || c instanceof java.net.UnknownHostException) {
                return "host name not found";
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && !m.isBlank()) {
                int nl = m.indexOf('\n');
                return nl < 0 ? m : m.substring(0, nl);
            }
        }
        return t instanceof ConnectException ? "connection refused or unreachable" : "I/O error, no detail given";
    }
}

package dev.kiln.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers a registry's authentication challenges (distribution spec "Token Authentication";
 * RFC 7617 for Basic). The first 401 tells it the scheme; from then on every request carries
 * either Basic credentials or a bearer token for the request's scopes, fetched from the realm
 * (with Basic credentials if there are any, anonymously otherwise) and cached per scope set
 * until it expires. Thread-safe; credentials never leave it except in Authorization headers.
 */
final class Authenticator {
    private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);

    private record Token(String value, long expiresAtNanos) {
        boolean valid() {
            return System.nanoTime() < expiresAtNanos;
        }
    }

    private final HttpClients clients;
    private final String registry;
    private final Credentials credentials;
    private final RequestListener listener;
    private volatile AuthChallenge challenge;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    Authenticator(HttpClients clients, String registry, Credentials credentials, RequestListener listener) {
        this.clients = clients;
        this.registry = registry;
        this.credentials = credentials;
        this.listener = listener;
    }

    /** The Authorization header value for a request with these scopes, or null to go anonymous. */
    String authorization(List<String> scopes, String action) {
        AuthChallenge c = challenge;
        if (c == null) return null;
        if (c.isBasic()) return credentials == null ? null : "Basic " + credentials.base64();
        String key = String.join(" ", scopes);
        Token t = tokens.get(key);
        if (t == null || !t.valid()) {
            t = fetchToken(c, scopes, action);
            tokens.put(key, t);
        }
        return t.value().isEmpty() ? null : "Bearer " + t.value();
    }

    /**
     * Takes in a 401's challenges. Returns true when sending the request again with what it
     * learned may succeed (a first challenge, or an expired token), false when it has nothing new.
     *
     * @param sentAuthorization whether the refused request carried credentials; one sent
     *                          anonymously while a parallel request learned the Basic challenge
     *                          may be sent again with them
     */
    boolean answer(List<String> wwwAuthenticate, List<String> scopes, String action, boolean sentAuthorization) {
        List<AuthChallenge> all = AuthChallenge.parseAll(wwwAuthenticate);
        AuthChallenge bearer = all.stream().filter(AuthChallenge::isBearer).findFirst().orElse(null);
        AuthChallenge basic = all.stream().filter(AuthChallenge::isBasic).findFirst().orElse(null);
        if (bearer != null && bearer.param("realm") != null) {
            challenge = bearer;
            Set<String> wanted = new LinkedHashSet<>(scopes);
            String asked = bearer.param("scope");
            if (asked != null) for (String s : asked.split(" ")) if (!s.isBlank()) wanted.add(s);
            String key = String.join(" ", scopes);
            tokens.put(key, fetchToken(bearer, List.copyOf(wanted), action));
            return true;
        }
        if (basic != null && credentials != null) {
            boolean fresh = challenge == null || !challenge.isBasic();
            challenge = basic;
            return fresh || !sentAuthorization;
        }
        return false;
    }

    private Token fetchToken(AuthChallenge c, List<String> scopes, String action) {
        StringBuilder query = new StringBuilder();
        String service = c.param("service");
        if (service != null) query.append("service=").append(enc(service));
        for (String scope : scopes) query.append(query.isEmpty() ? "" : "&").append("scope=").append(enc(scope));
        URI realm;
        try {
            realm = URI.create(c.param("realm"));
            if (realm.getScheme() == null || !realm.getScheme().matches("https?")) throw new IllegalArgumentException();
            String sep = realm.getRawQuery() == null ? "?" : "&";
            realm = URI.create(realm + (query.isEmpty() ? "" : sep + query));
        } catch (IllegalArgumentException e) {
            throw new KilnException(action + ": the registry " + registry + " names an unusable token realm '"
                    + c.param("realm") + "'");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(realm).timeout(Http.REQUEST_TIMEOUT).GET();
        if (credentials != null) b.header("Authorization", "Basic " + credentials.base64());
        HttpResponse<InputStream> resp;
        try {
            resp = clients.forUri(realm).send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            listener.exchanged("GET", realm, resp.statusCode());
        } catch (IOException e) {
            listener.exchanged("GET", realm, -1);
            throw new KilnException(action + ": getting a token from " + realm.getAuthority() + ": "
                    + RegistryErrors.describeIo(realm.getAuthority(), e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException(action + ": interrupted while getting a token", e);
        }
        return parseToken(resp, action, realm);
    }

    private Token parseToken(HttpResponse<InputStream> resp, String action, URI realm) {
        if (resp.statusCode() != 200) {
            String detail = RegistryErrors.describeBody(resp.body());
            String hint = resp.statusCode() == 401 || resp.statusCode() == 403
                    ? ": check the credentials (kiln login " + registry + ")" : "";
            throw new KilnException(action + ": the token service " + realm.getAuthority() + " answered "
                    + resp.statusCode() + " " + RegistryErrors.reason(resp.statusCode())
                    + (detail.isEmpty() ? "" : " (" + detail + ")") + hint);
        }
        JsonNode json;
        try (InputStream in = resp.body()) {
            json = RegistryErrors.JSON.readTree(in.readNBytes(1 << 20));
        } catch (IOException e) {
            throw new KilnException(action + ": the token service " + realm.getAuthority() + " sent unreadable JSON", e);
        }
        String token = json.path("token").asText("");
        if (token.isEmpty()) token = json.path("access_token").asText("");
        if (token.isEmpty()) {
            throw new KilnException(action + ": the token service " + realm.getAuthority() + " sent no token");
        }
        long seconds = json.path("expires_in").asLong(0);
        Duration lifetime = seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_TOKEN_LIFETIME;
        // renew a little early so a token does not expire between check and use
        long slack = Math.min(lifetime.toNanos() / 10, Duration.ofSeconds(10).toNanos());
        return new Token(token, System.nanoTime() + lifetime.toNanos() - slack);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** For tests: how many scope sets hold a token. */
    int cachedTokens() {
        return new ArrayList<>(tokens.keySet()).size();
    }
}

package dev.kiln.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny token service (distribution's "Token Authentication Specification") for the real
 * registry's {@code auth: token} setting: grants every requested action to {@link TestRegistry#USER}
 * with the right password, nothing to anyone else, as a JWT signed RS256 by a key whose
 * self-signed certificate travels in the {@code x5c} header and is the registry's rootcertbundle.
 */
public final class TokenServer implements AutoCloseable {
    public static final String SERVICE = "kiln-test-service";
    public static final String ISSUER = "kiln-test-issuer";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final PrivateKey key;
    private final X509Certificate cert;
    private final long lifetimeSeconds;
    final List<String> requests = new CopyOnWriteArrayList<>();

    public TokenServer(Path certPem, Path keyPem, long lifetimeSeconds) throws Exception {
        this.cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(Files.newInputStream(certPem));
        String pem = Files.readString(keyPem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        this.key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        this.lifetimeSeconds = lifetimeSeconds;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        server.createContext("/token", this::handle);
        server.start();
    }

    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex; InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
            String query = ex.getRequestURI().getRawQuery();
            requests.add(query == null ? "" : URLDecoder.decode(query, StandardCharsets.UTF_8));
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String good = "Basic " + new Credentials(TestRegistry.USER, TestRegistry.PASSWORD).base64();
            if (auth != null && !auth.equals(good)) {
                byte[] body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad user name or password\"}]}".getBytes();
                ex.sendResponseHeaders(401, body.length);
                ex.getResponseBody().write(body);
                return;
            }
            List<String> scopes = new ArrayList<>();
            if (query != null) {
                for (String kv : query.split("&")) {
                    if (kv.startsWith("scope=")) scopes.add(URLDecoder.decode(kv.substring(6), StandardCharsets.UTF_8));
                }
            }
            String jwt = sign(auth == null ? "" : TestRegistry.USER, auth == null ? List.of() : scopes);
            byte[] body = JSON.writeValueAsBytes(JSON.createObjectNode().put("token", jwt).put("expires_in", lifetimeSeconds));
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private String sign(String subject, List<String> scopes) throws Exception {
        ObjectNode header = JSON.createObjectNode().put("alg", "RS256").put("typ", "JWT");
        header.putArray("x5c").add(Base64.getEncoder().encodeToString(cert.getEncoded()));
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = JSON.createObjectNode().put("iss", ISSUER).put("sub", subject).put("aud", SERVICE)
                .put("exp", now + lifetimeSeconds).put("nbf", now - 10).put("iat", now).put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        for (String scope : scopes) { // repository:NAME:a,b
            String[] parts = scope.split(":");
            if (parts.length != 3) continue;
            ObjectNode a = access.addObject().put("type", parts[0]).put("name", parts[1]);
            ArrayNode actions = a.putArray("actions");
            for (String action : parts[2].split(",")) actions.add(action);
        }
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String signingInput = url.encodeToString(JSON.writeValueAsBytes(header)) + "." + url.encodeToString(JSON.writeValueAsBytes(claims));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + url.encodeToString(s.sign());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

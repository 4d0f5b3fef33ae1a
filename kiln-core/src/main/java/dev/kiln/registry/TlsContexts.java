package dev.kiln.registry;

import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/** The SSLContext for one registry: the JDK's CAs plus a cert dir's, or no verification at all. */
final class TlsContexts {
    private TlsContexts() {}

    static SSLContext forRegistry(String registry, RegistryOptions opts) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            if (!opts.tlsVerify()) {
                ctx.init(null, new TrustManager[] {new TrustAll()}, null);
                return ctx;
            }
            Path certDir = opts.certDir() != null ? opts.certDir() : defaultCertDir(registry);
            if (certDir == null) return SSLContext.getDefault();
            ctx.init(null, trustManagers(certDir), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new KilnException("setting up TLS for " + registry + ": " + e.getMessage(), e);
        }
    }

    /**
     * A context that trusts no certificate and loads nothing (no cacerts): for clients that speak
     * plain HTTP only, which HttpClient still wants a context for.
     */
    static SSLContext none() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new javax.net.ssl.KeyManager[0], new TrustManager[0], null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new KilnException("setting up the HTTP client: " + e.getMessage(), e);
        }
    }

    /** Where buildah and Docker look for a registry's CA when no --cert-dir is given. */
    private static Path defaultCertDir(String registry) {
        for (String base : new String[] {"/etc/containers/certs.d", "/etc/docker/certs.d"}) {
            Path p = Path.of(base, registry);
            if (Files.isDirectory(p)) return p;
        }
        return null;
    }

    private static TrustManager[] trustManagers(Path certDir) throws GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jdk.init((KeyStore) null);
        int n = 0;
        for (TrustManager tm : jdk.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                for (X509Certificate c : x.getAcceptedIssuers()) ks.setCertificateEntry("jdk-" + n++, c);
            }
        }
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        int added = 0;
        try (DirectoryStream<Path> crts = Files.newDirectoryStream(certDir, "*.crt")) {
            for (Path crt : crts) {
                try (InputStream in = Files.newInputStream(crt)) {
                    for (Certificate c : cf.generateCertificates(in)) ks.setCertificateEntry("dir-" + added++, c);
                } catch (java.security.cert.CertificateException e) {
                    throw new InvalidInputException("reading CA certificate " + crt + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new InvalidInputException("reading the certificate directory " + certDir + ": " + e.getMessage(), e);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers();
    }

    /**
     * --tls-verify=false. An X509ExtendedTrustManager so that the JDK leaves host name checks to
     * it too (and it does none), as buildah's InsecureSkipVerify does.
     */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) {}
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) {}
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
        @Override public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

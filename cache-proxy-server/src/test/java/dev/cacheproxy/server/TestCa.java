package dev.cacheproxy.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A throw-away certificate authority made with {@code openssl} in a test's directory: a CA, server
 * certificates for {@code localhost} (and optionally 127.0.0.1), and client certificates for mutual TLS.
 * Keys are PKCS#8 PEM, as {@code openssl req -newkey} writes them.
 */
final class TestCa {
    private final Path dir;
    private int serial = 1;

    private TestCa(Path dir) {
        this.dir = dir;
    }

    /** A new CA named {@code name} below {@code dir}. */
    static TestCa create(Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        TestCa ca = new TestCa(dir);
        Commands.run(dir, List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "30", "-subj", "/CN=" + name, "-keyout", "ca.key", "-out", "ca.pem",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"), 60);
        return ca;
    }

    Path certificate() {
        return dir.resolve("ca.pem");
    }

    /** Trust managers that trust this CA only (a client of a server it issued for). */
    javax.net.ssl.TrustManagerFactory trustManagers() throws Exception {
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(trustingThisCa());
        return tmf;
    }

    private java.security.KeyStore trustingThisCa() throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(certificate())) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        return trust;
    }

    /** A PKCS#12 trust store file (password {@code test}) with this CA only, for another JVM's trust store. */
    Path trustStore() throws Exception {
        java.security.KeyStore trust = trustingThisCa();
        Path file = dir.resolve("trust.p12");
        try (var out = Files.newOutputStream(file)) {
            trust.store(out, "test".toCharArray());
        }
        return file;
    }

    /** An HTTPS server on loopback presenting {@code cert}, answering every request with {@code handler}; started. */
    com.sun.net.httpserver.HttpsServer httpsServer(Issued cert, com.sun.net.httpserver.HttpHandler handler) throws Exception {
        Path p12 = cert.certificate().resolveSibling(cert.certificate().getFileName() + ".p12");
        Commands.run(dir, List.of("openssl", "pkcs12", "-export", "-in", cert.certificate().toString(), "-inkey",
                cert.key().toString(), "-out", p12.toString(), "-passout", "pass:test"), 60);
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(p12)) {
            ks.load(in, "test".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "test".toCharArray());
        javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        com.sun.net.httpserver.HttpsServer server = com.sun.net.httpserver.HttpsServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(ssl));
        server.createContext("/", handler);
        server.start();
        return server;
    }

    /** A client TLS context that trusts this CA only. */
    javax.net.ssl.SSLContext clientContext() throws Exception {
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, trustManagers().getTrustManagers(), null);
        return ctx;
    }

    /** A server certificate and key for {@code cn} with these subject alternative names (e.g. {@code DNS:localhost}). */
    Issued server(String cn, String san) throws Exception {
        return issue(cn, "subjectAltName=" + san + "\nextendedKeyUsage=serverAuth\n");
    }

    /** A client certificate and key whose subject is {@code /CN=cn}. */
    Issued client(String cn) throws Exception {
        return issue(cn, "extendedKeyUsage=clientAuth\n");
    }

    /** A server certificate for {@code cn} that expired yesterday. */
    Issued expiredServer(String cn, String san) throws Exception {
        return issue(cn, "subjectAltName=" + san + "\nextendedKeyUsage=serverAuth\n", -1);
    }

    private Issued issue(String cn, String extensions) throws Exception {
        return issue(cn, extensions, 7);
    }

    /** @param days how long the certificate is valid from now; -1 makes it expire a day ago (openssl allows it) */
    private Issued issue(String cn, String extensions, int days) throws Exception {
        String name = cn.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + serial;
        Commands.run(dir, List.of("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", "/CN=" + cn, "-keyout", name + ".key", "-out", name + ".csr"), 60);
        Path ext = Files.writeString(dir.resolve(name + ".ext"), extensions);
        Commands.run(dir, List.of("openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-set_serial", String.valueOf(1000 + serial++), "-days", String.valueOf(days), "-extfile", ext.toString(),
                "-out", name + ".pem"), 60);
        return new Issued(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
    }

    /** A certificate and its private key, PEM files. */
    record Issued(Path certificate, Path key) {
        /** Key and certificate in one PEM file (pip's {@code --client-cert}). */
        Path combined() throws java.io.IOException {
            Path out = certificate.resolveSibling(certificate.getFileName() + ".combined");
            Files.writeString(out, Files.readString(key) + Files.readString(certificate));
            return out;
        }
    }

    /**
     * The {@code server.tls} block (for {@link TestProxy#start}'s top-level YAML) serving {@code server}, asking
     * for client certificates from {@code clientCa} when it is not null.
     */
    static String tlsYaml(Issued server, Path clientCa) {
        return "  tls:\n    certificate: " + server.certificate() + "\n    key: " + server.key() + "\n"
                + (clientCa == null ? "" : "    client_ca: " + clientCa + "\n");
    }
}

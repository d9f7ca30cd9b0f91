package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamTransport;
import dev.cacheproxy.server.upstream.NettyUpstreams;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Netty upstream client over TLS, against an HTTPS server with certificates from a throw-away CA:
 * a trusted certificate for the host is accepted; an unknown CA and a certificate for another host name are
 * refused (host name verification is on).
 */
class UpstreamTlsTest {
    @TempDir
    Path dir;

    @Test
    void trustsOnlyAVerifiedCertificateForTheUpstreamsHostName() throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"), "upstream test CA");
        HttpsServer right = serve(ca.server("localhost", "DNS:localhost"), "right");
        HttpsServer wrongName = serve(ca.server("elsewhere.invalid", "DNS:elsewhere.invalid"), "wrong");
        try (NettyUpstreams trusting = new NettyUpstreams(trusting(ca.certificate()));
                NettyUpstreams jvmDefaults = new NettyUpstreams()) {
            UpstreamTransport wire = trusting.create(TransportSettings.DEFAULTS);
            UpstreamTransport.Answer a = wire.exchange(url(right), "GET", Headers.of(), new byte[0]);
            assertEquals(200, a.status());
            try (InputStream in = a.body()) {
                assertEquals("secure", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            IOException nameMismatch = assertThrows(IOException.class,
                    () -> wire.exchange(url(wrongName), "GET", Headers.of(), new byte[0]));
            assertTrue(nameMismatch instanceof javax.net.ssl.SSLException, "the TLS failure itself: " + nameMismatch);
            assertThrows(IOException.class, () -> jvmDefaults.create(TransportSettings.DEFAULTS)
                    .exchange(url(right), "GET", Headers.of(), new byte[0]), "a CA the JVM does not know is refused");
        } finally {
            right.stop(0);
            wrongName.stop(0);
        }
    }

    private static URI url(HttpsServer server) {
        return URI.create("https://localhost:" + server.getAddress().getPort() + "/x");
    }

    private HttpsServer serve(TestCa.Issued cert, String name) throws Exception {
        Path p12 = dir.resolve(name + ".p12");
        Commands.run(dir, List.of("openssl", "pkcs12", "-export", "-in", cert.certificate().toString(), "-inkey",
                cert.key().toString(), "-out", p12.toString(), "-passout", "pass:test"), 60);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "test".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "test".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/", exchange -> {
            byte[] body = "secure".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static TrustManagerFactory trusting(Path caFile) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf;
    }
}

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
import dev.cacheproxy.server.upstream.ScriptedServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
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
        try (NettyUpstreams trusting = new NettyUpstreams(ca.trustManagers());
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

    @Test
    void throughAProxy_httpsGoesThroughAConnectTunnel_andARefusedTunnelSaysWhy() throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"), "upstream test CA");
        HttpsServer upstream = serve(ca.server("localhost", "DNS:localhost"), "tunnelled");
        try (ScriptedServer proxy = new ScriptedServer(c -> tunnel(c, c.readRequest()));
                ScriptedServer refusing = new ScriptedServer(c -> {
                    c.readRequest();
                    c.write("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
                });
                NettyUpstreams upstreams = new NettyUpstreams(ca.trustManagers())) {
            UpstreamTransport wire = upstreams.create(viaProxy(proxy));
            for (int i = 0; i < 2; i++) {
                UpstreamTransport.Answer a = wire.exchange(url(upstream), "GET", Headers.of(), new byte[0]);
                try (InputStream in = a.body()) {
                    assertEquals("secure", new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            assertEquals(List.of("CONNECT localhost:" + upstream.getAddress().getPort() + " HTTP/1.1"),
                    proxy.requests().stream().map(r -> r.lines().findFirst().orElse("")).toList(),
                    "one tunnel, kept for the second request");
            IOException refused = assertThrows(IOException.class, () -> upstreams.create(viaProxy(refusing))
                    .exchange(url(upstream), "GET", Headers.of(), new byte[0]));
            assertTrue(refused.getMessage().contains("407"), refused.getMessage());
        } finally {
            upstream.stop(0);
        }
    }

    private static TransportSettings viaProxy(ScriptedServer proxy) {
        TransportSettings d = TransportSettings.DEFAULTS;
        return new TransportSettings(java.util.Optional.of(URI.create(proxy.url(""))), d.userAgent(),
                d.dialTimeout(), d.headerTimeout(), d.idleBodyTimeout(), d.maxRequestDuration(), d.health());
    }

    /** A CONNECT proxy's part: answers {@code connect} with 200, then copies bytes both ways until either side ends. */
    private static void tunnel(ScriptedServer.Connection c, String connect) throws Exception {
        int port = Integer.parseInt(connect.split(" ")[1].split(":")[1]);
        try (Socket up = new Socket(InetAddress.getLoopbackAddress(), port)) {
            c.write("HTTP/1.1 200 Connection established\r\n\r\n");
            Thread back = Thread.ofVirtual().start(() -> copy(up, c.socket()));
            copy(c.socket(), up);
            back.join();
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // one side closed
        }
    }
}

package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsServer;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamTransport;
import dev.cacheproxy.server.upstream.NettyUpstreams;
import dev.cacheproxy.server.upstream.ScriptedServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Netty upstream client over TLS, against an HTTPS server with certificates from a throw-away CA:
 * a trusted certificate for the host is accepted; an unknown CA and a certificate for another host name are
 * refused (host name verification is on). Through a {@code CONNECT} proxy: one tunnel kept for two requests, a
 * refusal named in the error, and the proxy URL's credentials sent with the CONNECT and never to the upstream.
 */
class UpstreamTlsTest {
    @TempDir
    Path dir;

    private final List<String> upstreamHeaderNames = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void trustsOnlyAVerifiedCertificateForTheUpstreamsHostName() throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"), "upstream test CA");
        HttpsServer right = serve(ca, ca.server("localhost", "DNS:localhost"));
        HttpsServer wrongName = serve(ca, ca.server("elsewhere.invalid", "DNS:elsewhere.invalid"));
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

    /** Serves "secure" to every request, noting the names of the headers each came with. */
    private HttpsServer serve(TestCa ca, TestCa.Issued cert) throws Exception {
        return ca.httpsServer(cert, exchange -> {
            upstreamHeaderNames.addAll(exchange.getRequestHeaders().keySet());
            byte[] body = "secure".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
    }

    @Test
    void throughAProxy_httpsGoesThroughAConnectTunnel_andARefusedTunnelSaysWhy() throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"), "upstream test CA");
        HttpsServer upstream = serve(ca, ca.server("localhost", "DNS:localhost"));
        try (ScriptedServer proxy = new ScriptedServer(c -> c.tunnel(c.readRequest()));
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

    @Test
    void throughAProxyWithCredentials_theConnectCarriesThem_andTheUpstreamNeverSeesThem() throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"), "upstream test CA");
        HttpsServer upstream = serve(ca, ca.server("localhost", "DNS:localhost"));
        try (ScriptedServer proxy = new ScriptedServer(UpstreamTlsTest::authenticatingConnectProxy);
                NettyUpstreams upstreams = new NettyUpstreams(ca.trustManagers())) {
            UpstreamTransport.Answer a = upstreams.create(viaProxy(proxy, USER_INFO))
                    .exchange(url(upstream), "GET", Headers.of(), new byte[0]);
            try (InputStream in = a.body()) {
                assertEquals("secure", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            assertEquals(1, proxy.requests().size(), "the credentials went with the first CONNECT, unasked");
            assertEquals(BASIC, proxyAuthorization(proxy.requests().get(0)));
            assertEquals(List.of(), upstreamHeaderNames.stream().filter(n -> n.toLowerCase(java.util.Locale.ROOT)
                    .startsWith("proxy-")).toList(), "nothing for the proxy reaches the upstream");
        } finally {
            upstream.stop(0);
        }
    }

    /** {@code office\build} with {@code s3cr@t}: as a URL's user information, and as Basic credentials. */
    private static final String USER_INFO = "office%5Cbuild:s3cr%40t@";
    private static final String BASIC = "Basic b2ZmaWNlXGJ1aWxkOnMzY3JAdA==";

    /** A proxy's part that opens a tunnel only for a CONNECT with {@link #BASIC}, and challenges anything else. */
    private static void authenticatingConnectProxy(ScriptedServer.Connection c) throws Exception {
        String head;
        while ((head = c.readRequest()) != null) {
            if (head.startsWith("CONNECT ") && BASIC.equals(proxyAuthorization(head))) {
                c.tunnel(head);
                return;
            }
            c.write("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"office\"\r\n"
                    + "Content-Length: 0\r\n\r\n");
        }
    }

    /** The {@code Proxy-Authorization} value in a request head, or null. */
    private static String proxyAuthorization(String head) {
        return head.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("proxy-authorization:"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(null);
    }

    private static TransportSettings viaProxy(ScriptedServer proxy) {
        return viaProxy(proxy, "");
    }

    /** {@code userInfo}: {@code user:password@} put in the proxy URL, or empty. */
    private static TransportSettings viaProxy(ScriptedServer proxy, String userInfo) {
        TransportSettings d = TransportSettings.DEFAULTS;
        return new TransportSettings(java.util.Optional.of(URI.create(proxy.url("").replace("//", "//" + userInfo))),
                d.userAgent(),
                d.dialTimeout(), d.headerTimeout(), d.idleBodyTimeout(), d.maxRequestDuration(), d.health());
    }
}

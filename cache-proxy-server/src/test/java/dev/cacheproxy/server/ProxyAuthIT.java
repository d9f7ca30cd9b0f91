package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsServer;
import dev.cacheproxy.server.upstream.ScriptedServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An office proxy that wants a password: {@code transport.proxy} with the credentials in its URL (as the Go project
 * takes it), an HTTPS upstream reached through {@code CONNECT}, the real server in a JVM of its own (the JDK client
 * reads whether it may send Basic credentials in a CONNECT once, when it is first used), once on each upstream
 * client. The credentials reach the proxy and nothing else: not the upstream, not the log, not {@code /metrics},
 * not the status page.
 */
class ProxyAuthIT {
    private static final String USER = "office\\build";
    private static final String PASSWORD = "s3cr@t";
    /** {@code office\build:s3cr@t@} as a URL's user information. */
    static final String USER_INFO = "office%5Cbuild:s3cr%40t@";
    static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    /**
     * A proxy's part that opens a tunnel only for a CONNECT with {@link #USER_INFO}'s credentials, and answers
     * anything else with a 407 challenge, as squid does.
     */
    static void authenticatingConnectProxy(ScriptedServer.Connection c) throws Exception {
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
    static String proxyAuthorization(String head) {
        return head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("proxy-authorization:"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(null);
    }

    @ParameterizedTest(name = "upstream client: {0}")
    @ValueSource(strings = {"netty", "jdk"})
    void httpsThroughAProxyThatWantsAPassword_works_andThePasswordIsShownNowhere(String client) throws Exception {
        try (Setup s = new Setup(client, USER_INFO)) {
            HttpResponse<String> got = get(s.proxy, "/files/a.txt");
            assertEquals(200, got.statusCode(), got.body() + "\n" + s.proxy.log());
            assertEquals("through the office proxy", got.body());

            assertTrue(s.office.requests().stream().anyMatch(h -> BASIC.equals(proxyAuthorization(h))),
                    "the proxy was given the URL's credentials: " + s.office.requests());
            assertEquals(List.of(), s.upstreamHeaderNames.stream()
                    .filter(n -> n.toLowerCase(Locale.ROOT).startsWith("proxy-")).toList(),
                    "nothing meant for the proxy reaches the upstream");
            String shown = s.proxy.log() + get(s.proxy, "/metrics").body() + get(s.proxy, "/-/status").body()
                    + get(s.proxy, "/-/status/files").body();
            for (String secret : List.of(PASSWORD, "s3cr%40t", BASIC.substring(6))) {
                assertFalse(shown.contains(secret), "'" + secret + "' shown:\n" + shown);
            }
        }
    }

    /** A 407 is the proxy refusing us, not an answer for the client (which would take it as its own proxy's). */
    @ParameterizedTest(name = "upstream client: {0}")
    @ValueSource(strings = {"netty", "jdk"})
    void aPasswordTheProxyRefuses_is502_sayingSo(String client) throws Exception {
        try (Setup s = new Setup(client, "office%5Cbuild:wrong@")) {
            HttpResponse<String> got = get(s.proxy, "/files/a.txt");
            assertEquals(502, got.statusCode(), got.body());
            assertTrue(s.proxy.log().contains("credentials it does not accept"), s.proxy.log());
            assertFalse(s.proxy.log().contains("wrong"), s.proxy.log());
        }
    }

    /** An HTTPS upstream, the office proxy in front of it, and cache-proxy in its own JVM using both. */
    private final class Setup implements AutoCloseable {
        final List<String> upstreamHeaderNames = new CopyOnWriteArrayList<>();
        final HttpsServer upstream;
        final ScriptedServer office;
        final ForkedProxy proxy;

        /** {@code userInfo}: what goes before the proxy's host in {@code transport.proxy}. */
        Setup(String client, String userInfo) throws Exception {
            TestCa ca = TestCa.create(dir.resolve("ca"), "upstream test CA");
            upstream = ca.httpsServer(ca.server("localhost", "DNS:localhost"), exchange -> {
                upstreamHeaderNames.addAll(exchange.getRequestHeaders().keySet());
                byte[] body = "through the office proxy".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            office = new ScriptedServer(ProxyAuthIT::authenticatingConnectProxy);
            String yaml = """
                    server: { bind: "127.0.0.1:0", backend: "%s" }
                    instances:
                      - name: files
                        enabled: true
                        file:
                          route: { path: /files }
                          upstreams: ["https://localhost:%d"]
                          default_policy: immutable
                          transport: { proxy: "%s" }
                    """.formatted(dir.resolve("store"), upstream.getAddress().getPort(),
                    office.url("").replace("//", "//" + userInfo));
            proxy = ForkedProxy.start(dir, yaml, "-Dcache-proxy.upstream-client=" + client,
                    "-Djavax.net.ssl.trustStore=" + ca.trustStore(), "-Djavax.net.ssl.trustStorePassword=test",
                    "-Djavax.net.ssl.trustStoreType=PKCS12");
        }

        @Override
        public void close() throws Exception {
            proxy.close();
            office.close();
            upstream.stop(0);
        }
    }

    private HttpResponse<String> get(ForkedProxy proxy, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(proxy.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}

package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * Behind an office proxy that wants a password (a real squid): {@code transport.proxy} with the credentials in its
 * URL, as the Go project takes it; one instance with an HTTPS upstream (through {@code CONNECT}) and one with a
 * plain HTTP upstream (absolute-form requests); the real server in a JVM of its own (the JDK client reads whether
 * it may send Basic credentials in a CONNECT once, when it is first used), on each upstream client. The credentials
 * reach the proxy and nothing else: not the upstream, not the log, not {@code /metrics}, not the status pages.
 */
class ProxyAuthIT {
    private static final String PASSWORD = "s3cr@t";
    private static final String BASIC = Base64.getEncoder()
            .encodeToString(("build:" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @ParameterizedTest(name = "upstream client: {0}")
    @ValueSource(strings = {"netty", "jdk"})
    void throughAProxyThatWantsAPassword_httpsAndHttpWork_andThePasswordIsShownNowhere(String client) throws Exception {
        try (Setup s = new Setup(client, "build:s3cr%40t@")) {
            for (String instance : List.of("tls", "plain")) {
                HttpResponse<String> got = get(s.proxy, "/" + instance + "/a.txt");
                assertEquals(200, got.statusCode(), instance + ": " + got.body() + "\n" + s.proxy.log());
                assertEquals("through the office proxy", got.body());
            }
            String shown = s.proxy.log() + get(s.proxy, "/metrics").body() + get(s.proxy, "/-/status").body()
                    + get(s.proxy, "/-/status/tls").body() + get(s.proxy, "/-/status/plain").body();
            for (String secret : List.of(PASSWORD, "s3cr%40t", BASIC)) {
                assertFalse(shown.contains(secret), "'" + secret + "' shown:\n" + shown);
            }

            s.proxy.close(); // squid logs a tunnel when it closes, and ours are kept open for reuse
            String squidSaw = "";
            for (long deadline = System.nanoTime() + 10_000_000_000L; System.nanoTime() < deadline; Thread.sleep(100)) {
                squidSaw = s.squid.accessLog();
                if (squidSaw.contains("CONNECT")) {
                    break;
                }
            }
            assertTrue(squidSaw.lines().anyMatch(l -> l.contains("CONNECT localhost:") && l.contains(" build ")
                    && l.contains("TCP_TUNNEL/200")), "a tunnel for the user:\n" + squidSaw);
            assertTrue(squidSaw.lines().anyMatch(l -> l.contains("GET http://127.0.0.1:") && l.contains(" build ")
                    && l.contains("/200 ")), "a plain request for the user:\n" + squidSaw);
            assertEquals(List.of(), s.upstreamHeaderNames.stream()
                    .filter(n -> n.toLowerCase(Locale.ROOT).startsWith("proxy-")).toList(),
                    "nothing meant for the proxy reaches an upstream");
        }
    }

    /** A 407 is the proxy refusing us, not an answer for the client (which would take it as its own proxy's). */
    @ParameterizedTest(name = "upstream client: {0}")
    @ValueSource(strings = {"netty", "jdk"})
    void aPasswordTheProxyRefuses_is502_sayingSo(String client) throws Exception {
        try (Setup s = new Setup(client, "build:wrong@")) {
            for (String instance : List.of("tls", "plain")) {
                HttpResponse<String> got = get(s.proxy, "/" + instance + "/a.txt");
                assertEquals(502, got.statusCode(), instance + ": " + got.body());
            }
            String log = s.proxy.log();
            assertTrue(log.contains("credentials it does not accept"), log);
            assertFalse(log.contains("wrong"), log);
        }
    }

    private HttpResponse<String> get(ForkedProxy proxy, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(proxy.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Two upstreams (HTTPS, HTTP), squid in front of them, and cache-proxy in its own JVM reaching both through it. */
    private final class Setup implements AutoCloseable {
        final List<String> upstreamHeaderNames = new CopyOnWriteArrayList<>();
        final HttpsServer tls;
        final HttpServer plain;
        final SquidProxy squid;
        final ForkedProxy proxy;

        /** {@code userInfo}: what goes before the proxy's host in {@code transport.proxy}. */
        Setup(String client, String userInfo) throws Exception {
            TestCa ca = TestCa.create(dir.resolve("ca"), "upstream test CA");
            tls = ca.httpsServer(ca.server("localhost", "DNS:localhost"), this::answer);
            plain = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            plain.createContext("/", this::answer);
            plain.start();
            squid = new SquidProxy("build", PASSWORD);
            String via = "      transport: { proxy: \"" + squid.url(userInfo) + "\" }\n";
            String yaml = "server: { bind: \"127.0.0.1:0\", backend: \"" + dir.resolve("store") + "\" }\ninstances:\n"
                    + instance("tls", "https://localhost:" + tls.getAddress().getPort()) + via
                    + instance("plain", "http://127.0.0.1:" + plain.getAddress().getPort()) + via;
            try {
                proxy = ForkedProxy.start(dir, yaml, "-Dcache-proxy.upstream-client=" + client,
                        "-Djavax.net.ssl.trustStore=" + ca.trustStore(), "-Djavax.net.ssl.trustStorePassword=test",
                        "-Djavax.net.ssl.trustStoreType=PKCS12");
            } catch (Exception | Error e) { // no squid left running behind a failed start
                squid.close();
                plain.stop(0);
                tls.stop(0);
                throw e;
            }
        }

        private static String instance(String name, String upstream) {
            return """
                      - name: %1$s
                        enabled: true
                        file:
                          route: { path: /%1$s }
                          upstreams: ["%2$s"]
                          default_policy: immutable
                    """.formatted(name, upstream);
        }

        private void answer(HttpExchange exchange) throws IOException {
            upstreamHeaderNames.addAll(exchange.getRequestHeaders().keySet());
            byte[] body = "through the office proxy".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        }

        @Override
        public void close() throws Exception {
            proxy.close();
            squid.close();
            plain.stop(0);
            tls.stop(0);
        }
    }
}

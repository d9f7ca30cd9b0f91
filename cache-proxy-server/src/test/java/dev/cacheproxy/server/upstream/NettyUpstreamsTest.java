package dev.cacheproxy.server.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamTransport;
import dev.cacheproxy.server.netty.DecodedPieces;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Netty upstream client against a server scripted byte by byte: framing, keep-alive, failures, back-pressure. */
class NettyUpstreamsTest {
    private static final TransportSettings SETTINGS = new TransportSettings(java.util.Optional.empty(), "cache-proxy/test",
            Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(30),
            TransportSettings.DEFAULTS.health());

    private final NettyUpstreams upstreams = new NettyUpstreams();
    private final UpstreamTransport wire = upstreams.create(SETTINGS);

    @AfterEach
    void close() {
        upstreams.close();
    }

    private static String ok(String body) {
        return "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nETag: \"e1\"\r\n\r\n" + body;
    }

    private UpstreamTransport.Answer get(ScriptedServer server, String path) throws Exception {
        return wire.exchange(URI.create(server.url(path)), "GET", Headers.of("User-Agent", "cache-proxy/test",
                "Accept", "application/json"), new byte[0]);
    }

    private static String text(UpstreamTransport.Answer a) throws IOException {
        try (InputStream in = a.body()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void answersAndKeepsTheConnectionForTheNextRequest() throws Exception {
        try (ScriptedServer server = new ScriptedServer(c -> {
            while (c.readRequest() != null) {
                c.write(ok("hello"));
            }
        })) {
            UpstreamTransport.Answer a = get(server, "/a/b%2Fc?x=1");
            assertEquals(200, a.status());
            assertEquals("\"e1\"", a.headers().first("etag").orElseThrow());
            assertEquals("hello", text(a));
            assertEquals("hello", text(get(server, "/second")));
            assertEquals(1, server.connections(), "the second request reused the connection");
            String head = server.requests().get(0);
            assertTrue(head.startsWith("GET /a/b%2Fc?x=1 HTTP/1.1\r\n"), head);
            assertTrue(head.contains("\r\nhost: 127.0.0.1:") || head.contains("\r\nHost: 127.0.0.1:"), head);
            assertTrue(head.contains("cache-proxy/test"), head);
            assertTrue(head.contains("application/json"), head);
        }
    }

    @Test
    void maxIdleConns_isHowManyConnectionsToAHostThePoolKeeps() throws Exception {
        assertEquals(3, connectionsForTwoRoundsOfTwo(1), "with max_idle_conns 1 the second round reuses one connection");
        assertEquals(2, connectionsForTwoRoundsOfTwo(2), "with max_idle_conns 2 it reuses both");
    }

    /** Two requests in flight at once, twice: the connections the upstream saw. */
    private static int connectionsForTwoRoundsOfTwo(int maxIdle) throws Exception {
        TransportSettings settings = new TransportSettings(SETTINGS.proxy(), SETTINGS.userAgent(), SETTINGS.dialTimeout(),
                Duration.ofSeconds(5), SETTINGS.idleBodyTimeout(), SETTINGS.maxRequestDuration(), SETTINGS.health(),
                maxIdle, TransportSettings.DEFAULT_MAX_CONNS_PER_HOST);
        java.util.concurrent.Semaphore answers = new java.util.concurrent.Semaphore(0);
        try (NettyUpstreams pool = new NettyUpstreams(); ScriptedServer server = new ScriptedServer(c -> {
            while (c.readRequest() != null) {
                answers.acquireUninterruptibly(); // held until both requests of a round are in flight
                c.write(ok("x"));
            }
        })) {
            UpstreamTransport w = pool.create(settings);
            for (int round = 1; round <= 2; round++) {
                try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                    List<java.util.concurrent.Future<String>> both = new java.util.ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        both.add(threads.submit(() -> text(w.exchange(URI.create(server.url("/x")), "GET", Headers.EMPTY,
                                new byte[0]))));
                    }
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (server.requests().size() < 2 * round && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    answers.release(2);
                    for (var f : both) {
                        assertEquals("x", f.get(5, TimeUnit.SECONDS));
                    }
                }
                // both are back in the pool (what is over the cap closed): a connection is released before its
                // reader sees the body's end
            }
            return server.connections();
        }
    }

    @Test
    void readsChunkedAndCloseDelimitedBodies() throws Exception {
        try (ScriptedServer server = new ScriptedServer(c -> {
            String req;
            while ((req = c.readRequest()) != null) {
                if (req.startsWith("GET /chunked")) {
                    c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
                } else {
                    c.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
                    return;
                }
            }
        })) {
            assertEquals("hello world", text(get(server, "/chunked")));
            assertEquals("until the end", text(get(server, "/close")));
            assertEquals("hello world", text(get(server, "/chunked")));
            assertEquals(2, server.connections(), "a connection the upstream closes is not used again");
        }
    }

    @Test
    void aBodyCutShortFailsAfterWhatArrived() throws Exception {
        try (ScriptedServer server = new ScriptedServer(c -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + "x".repeat(50));
        })) {
            UpstreamTransport.Answer a = get(server, "/cut");
            InputStream in = a.body();
            byte[] buf = new byte[200];
            int total = 0;
            IOException failure = null;
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    total += n;
                }
            } catch (IOException e) {
                failure = e;
            }
            assertEquals(50, total);
            assertTrue(failure != null, "the cut is an error, not the end of the body");
            in.close();
        }
    }

    @Test
    void aGetOnAReusedConnectionThatDiesUnansweredIsSentAgainOnce() throws Exception {
        try (ScriptedServer server = new ScriptedServer(c -> {
            c.readRequest();
            c.write(ok("one"));
            if (c.readRequest() != null) {
                return; // the upstream dropped the idle connection just as the request came: no answer
            }
        })) {
            assertEquals("one", text(get(server, "/1")));
            assertEquals("one", text(get(server, "/2")));
            assertEquals(2, server.connections());
            // (the close may come as a reset, the request's body being unread: any I/O failure will do)
            assertThrows(IOException.class, () -> wire.exchange(URI.create(server.url("/p")),
                    "POST", Headers.of(), "body".getBytes(StandardCharsets.UTF_8)));
            assertEquals(1, server.requests().stream().filter(r -> r.startsWith("POST ")).count(), "a POST is not sent twice");
        }
    }

    @Test
    void noHeadWithinTheHeaderTimeoutIsATimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedServer server = new ScriptedServer(c -> {
            c.readRequest();
            release.await(10, TimeUnit.SECONDS);
        })) {
            long start = System.nanoTime();
            assertThrows(HttpTimeoutException.class, () -> get(server, "/slow"));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
            release.countDown();
        }
    }

    @Test
    void aRefusedConnectionIsAConnectException() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThrows(ConnectException.class, () -> wire.exchange(URI.create("http://127.0.0.1:" + port + "/"), "GET",
                Headers.of(), new byte[0]));
    }

    @Test
    void aHeadAnswerHasNoBodyAndKeepsTheConnection() throws Exception {
        try (ScriptedServer server = new ScriptedServer(c -> {
            String req;
            while ((req = c.readRequest()) != null) {
                c.write(req.startsWith("HEAD") ? "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" : ok("after"));
            }
        })) {
            UpstreamTransport.Answer head = wire.exchange(URI.create(server.url("/h")), "HEAD", Headers.of(), new byte[0]);
            assertEquals(200, head.status());
            assertEquals("", text(head));
            assertEquals("after", text(get(server, "/g")));
            assertEquals(1, server.connections());
        }
    }

    @Test
    void aBodyClosedEarlyGivesTheConnectionUp() throws Exception {
        try (ScriptedServer server = new ScriptedServer(c -> {
            while (c.readRequest() != null) {
                c.write("HTTP/1.1 200 OK\r\nContent-Length: 4000000\r\n\r\n");
                c.write(new byte[4_000_000]);
            }
        })) {
            UpstreamTransport.Answer a = get(server, "/big");
            a.body().read(new byte[10]);
            a.body().close();
            UpstreamTransport.Answer b = get(server, "/big");
            assertEquals(4_000_000, b.body().readAllBytes().length);
            b.body().close();
            assertEquals(2, server.connections(), "the rest of an abandoned body is never read as the next answer");
        }
    }

    /**
     * A read of a body goes on whole: the decoder's default piece of 8 KiB sent a 1 MiB read through the pipeline
     * and the body's queue as 128 slices (issue 20: ~38,000 for a cold apt run, most of them run interpreted).
     */
    @Test
    void aReadOfTheBodyIsHandedOnWhole() {
        EmbeddedChannel ch = new EmbeddedChannel(NettyUpstreams.codec());
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/big"));
        ch.releaseOutbound();
        int size = NettyUpstreams.MAX_READ;
        assertEquals(List.of(size), DecodedPieces.of(ch, "HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n", size,
                HttpResponse.class));
    }

    @Test
    void aSlowReaderHoldsTheUpstreamBackNotOurMemory() throws Exception {
        AtomicLong written = new AtomicLong();
        byte[] block = new byte[64 << 10];
        try (ScriptedServer server = new ScriptedServer(c -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: " + (256L << 20) + "\r\n\r\n");
            for (int i = 0; i < 4096; i++) {
                c.write(block);
                written.addAndGet(block.length);
            }
        })) {
            UpstreamTransport.Answer a = get(server, "/huge");
            byte[] first = new byte[1];
            assertEquals(1, a.body().read(first));
            Thread.sleep(1500);
            // ~1 MiB buffered here, the rest in the two sockets' kernel buffers (a few MiB on loopback)
            assertTrue(written.get() < 48L << 20, "the upstream wrote " + written.get() + " bytes while nobody read");
            byte[] rest = new byte[1 << 18];
            long total = 1;
            int n;
            while ((n = a.body().read(rest)) >= 0) {
                total += n;
            }
            assertEquals(256L << 20, total);
            a.body().close();
        }
    }

    @Test
    void requestBodiesAreSentWithTheirLength() throws Exception {
        try (ScriptedServer server = new ScriptedServer(c -> {
            String req = c.readRequest();
            int length = Integer.parseInt(req.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
            String body = new String(c.readBody(length), StandardCharsets.UTF_8);
            c.write(ok(body.toUpperCase(java.util.Locale.ROOT)));
        })) {
            UpstreamTransport.Answer a = wire.exchange(URI.create(server.url("/echo")), "POST", Headers.of(),
                    "query".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("QUERY".getBytes(StandardCharsets.UTF_8), a.body().readAllBytes());
            a.body().close();
        }
    }

    @Test
    void throughAProxy_plainHttpGoesAsAbsoluteFormRequestsOnAKeptConnection_withTheProxyUrlsCredentials() throws Exception {
        try (ScriptedServer proxy = new ScriptedServer(c -> {
            while (c.readRequest() != null) {
                c.write(ok("via proxy"));
            }
        })) {
            URI withCredentials = URI.create(proxy.url("").replace("http://", "http://office%5Cuser:p%40ss@"));
            TransportSettings viaProxy = new TransportSettings(java.util.Optional.of(withCredentials),
                    "cache-proxy/test", SETTINGS.dialTimeout(), SETTINGS.headerTimeout(), SETTINGS.idleBodyTimeout(),
                    SETTINGS.maxRequestDuration(), SETTINGS.health());
            UpstreamTransport proxied = upstreams.create(viaProxy);
            for (int i = 0; i < 2; i++) {
                UpstreamTransport.Answer a = proxied.exchange(URI.create("http://upstream.invalid:8080/a/b%2F?q=1"), "GET",
                        Headers.of("User-Agent", "cache-proxy/test"), new byte[0]);
                assertEquals("via proxy", text(a));
            }
            assertEquals(1, proxy.connections());
            String head = proxy.requests().get(0);
            assertTrue(head.startsWith("GET http://upstream.invalid:8080/a/b%2F?q=1 HTTP/1.1\r\n"), head);
            assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("\r\nhost: upstream.invalid:8080\r\n"), head);
            for (String each : proxy.requests()) { // before any challenge, on every request
                assertTrue(each.contains("\r\nproxy-authorization: Basic b2ZmaWNlXHVzZXI6cEBzcw==\r\n"), each);
            }
            assertFalse(viaProxy.toString().contains("p%40ss"), viaProxy.toString());
        }
    }

    @Test
    void activeProbesGoOverThisClient_onOneKeptConnection_headThenARangedGetWhereHeadIsRefused() throws Exception {
        try (ScriptedServer server = new ScriptedServer(c -> {
            for (String head; (head = c.readRequest()) != null; ) {
                c.write(head.startsWith("HEAD ") ? "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n"
                        : "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-0/10\r\nContent-Length: 1\r\n\r\nx");
            }
        })) {
            dev.cacheproxy.core.upstream.UpstreamHealthRegistry registry = new dev.cacheproxy.core.upstream
                    .UpstreamHealthRegistry(dev.cacheproxy.core.events.CacheEvents.NONE, java.time.Clock.systemUTC());
            java.util.List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
            registry.prober().register(new dev.cacheproxy.core.upstream.UpstreamProber.Job("deb",
                    URI.create(server.url("/deb")), SETTINGS, upstreams, () -> java.util.List.of("dists/stable/InRelease"),
                    (target, status) -> answers.add(target + " " + status)));
            long now = System.nanoTime();
            registry.prober().runDue(now);
            registry.prober().runDue(now + Duration.ofHours(1).toNanos());
            assertEquals(java.util.List.of("dists/stable/InRelease 206", "dists/stable/InRelease 206"), answers);
            assertEquals(java.util.List.of("HEAD", "GET", "GET"),
                    server.requests().stream().map(h -> h.substring(0, h.indexOf(' '))).toList());
            assertTrue(server.requests().get(1).toLowerCase(java.util.Locale.ROOT).contains("\r\nrange: bytes=0-0\r\n"));
            assertTrue(server.requests().get(0).contains("cache-proxy/test"), "the instance's user agent");
            assertEquals(1, server.connections(), "one connection, kept between the probes");
        }
    }
}

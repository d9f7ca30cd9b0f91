package dev.cacheproxy.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the listener with a CA the test makes with openssl: curl over TLS 1.2 and 1.3 (misses, hits
 * streamed from disk, ranges), a wrong-host certificate refused by curl, the certificate rotated while a
 * connection stays open, mutual TLS (no client certificate: no handshake), and {@code -validate} naming a
 * key that does not match.
 */
class TlsIT {
    @TempDir
    Path dir;

    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private final byte[] large = new byte[3 * 1024 * 1024 + 17];
    private TestProxy proxy;
    private TestCa ca;
    private TestCa.Issued server;

    @BeforeEach
    void start() throws Exception {
        new Random(7).nextBytes(large);
        up.start();
        up.stubFor(get(urlPathMatching("/small.*")).willReturn(aResponse().withBody("small body")));
        up.stubFor(get("/large.bin").willReturn(aResponse().withBody(large)));
        ca = TestCa.create(dir.resolve("ca"), "cache-proxy test CA");
        server = ca.server("localhost", "DNS:localhost");
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        up.stop();
    }

    private TestProxy startWith(String extraTls) throws Exception {
        Path cert = Files.copy(server.certificate(), dir.resolve("live-cert.pem"), StandardCopyOption.REPLACE_EXISTING);
        Path key = Files.copy(server.key(), dir.resolve("live-key.pem"), StandardCopyOption.REPLACE_EXISTING);
        return TestProxy.start(dir.resolve("store"), """
                  tls:
                    certificate: %s
                    key: %s
                    reload_interval: 200ms
                %s""".formatted(cert, key, extraTls), TestProxy.FILE_INSTANCE, up.baseUrl());
    }

    private List<String> curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "--cacert", ca.certificate().toString(),
                "--resolve", "localhost:" + proxy.port() + ":127.0.0.1"));
        if (!List.of(args).contains("--http2")) {
            cmd.add("--http1.1"); // curl offers h2 by ALPN otherwise, and gets it
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    private String url(String path) {
        return "https://localhost:" + proxy.port() + path;
    }

    @Test
    void curlOverTls12And13_missThenHitStreamedFromDisk_rangesToo_andAWrongHostIsRefused() throws Exception {
        proxy = startWith("");
        for (String version : List.of("--tlsv1.2 --tls-max 1.2", "--tlsv1.3")) {
            List<String> cmd = curl("-D", "-", "-o", "/dev/null", url("/files/small-" + version.length() + ".txt"));
            cmd.addAll(1, List.of(version.split(" ")));
            String first = Commands.run(dir, cmd, 60);
            assertTrue(first.startsWith("HTTP/1.1 200") && first.contains("X-Cache: MISS"), first);
            String again = Commands.run(dir, cmd, 60);
            assertTrue(again.contains("X-Cache: HIT"), again);
        }
        Path got = dir.resolve("large.out");
        Commands.run(dir, curl("-o", got.toString(), url("/files/large.bin")), 60);
        assertArrayEquals(large, Files.readAllBytes(got), "the miss over TLS");
        Files.delete(got);
        String hit = Commands.run(dir, curl("-D", "-", "-o", got.toString(), url("/files/large.bin")), 60);
        assertTrue(hit.contains("X-Cache: HIT"), hit);
        assertArrayEquals(large, Files.readAllBytes(got), "a 3 MiB hit read from disk in chunks and encrypted");
        String part = Commands.run(dir, curl("-D", "-", "-o", got.toString(), "-r", "1000000-1000099", url("/files/large.bin")), 60);
        assertTrue(part.startsWith("HTTP/1.1 206"), part);
        assertArrayEquals(java.util.Arrays.copyOfRange(large, 1_000_000, 1_000_100), Files.readAllBytes(got));

        Commands.Result wrongHost = Commands.exec(dir, List.of("curl", "-sS", "--cacert", ca.certificate().toString(),
                "https://127.0.0.1:" + proxy.port() + "/files/small.txt"), 60);
        assertEquals(60, wrongHost.exit(), "a certificate for localhost does not name 127.0.0.1: " + wrongHost.output());
        Commands.Result plain = Commands.exec(dir, List.of("curl", "-sS", "--max-time", "10",
                "http://127.0.0.1:" + proxy.port() + "/files/small.txt"), 60);
        assertNotEquals(0, plain.exit(), "a TLS listener does not answer cleartext HTTP: " + plain.output());
        String metrics = Commands.run(dir, curl(url("/metrics")), 60);
        assertTrue(metrics.contains("cache_proxy_tls_certificate_expiry_timestamp_seconds{provider=\"openssl\"}"), metrics);
        Path scraped = Files.writeString(dir.resolve("metrics.txt"), metrics);
        Commands.Result promtool = Commands.exec(dir, List.of("sh", "-c", "promtool check metrics < " + scraped), 60);
        assertEquals("", promtool.output().trim(), "promtool has nothing to say about the TLS meters either");
        String home = Commands.run(dir, curl(url("/-/status")), 60);
        assertTrue(home.contains("\"url\" : \"https://localhost:" + proxy.port() + "/files\""), home);
    }

    @Test
    void http2ByAlpn_missHitRangeAndHead_sameAsHttp11_andH2loadOnHits() throws Exception {
        proxy = startWith("");
        Path got = dir.resolve("h2.out");
        String miss = Commands.run(dir, curl("--http2", "-D", "-", "-o", got.toString(), url("/files/large.bin")), 60);
        assertTrue(miss.startsWith("HTTP/2 200") && miss.contains("x-cache: MISS"), miss);
        assertArrayEquals(large, Files.readAllBytes(got), "a fill followed as it grows, over HTTP/2 stream flow control");
        String hit = Commands.run(dir, curl("--http2", "-D", "-", "-o", got.toString(), url("/files/large.bin")), 60);
        assertTrue(hit.startsWith("HTTP/2 200") && hit.contains("x-cache: HIT") && hit.contains("content-length: " + large.length),
                hit);
        assertArrayEquals(large, Files.readAllBytes(got));
        String part = Commands.run(dir, curl("--http2", "-D", "-", "-o", got.toString(), "-r", "-100", url("/files/large.bin")), 60);
        assertTrue(part.startsWith("HTTP/2 206") && part.contains("content-range: bytes " + (large.length - 100) + "-"), part);
        assertArrayEquals(java.util.Arrays.copyOfRange(large, large.length - 100, large.length), Files.readAllBytes(got));
        String head = Commands.run(dir, curl("--http2", "-sI", url("/files/large.bin")), 60);
        assertTrue(head.startsWith("HTTP/2 200") && head.contains("content-length: " + large.length), head);
        String notModified = Commands.run(dir, curl("--http2", "-D", "-", "-o", "/dev/null", "-H",
                "If-None-Match: " + etag(hit), url("/files/large.bin")), 60);
        assertTrue(notModified.startsWith("HTTP/2 304"), notModified);

        String load = Commands.run(dir, List.of("h2load", "-n", "2000", "-c", "4", "-m", "8",
                "https://127.0.0.1:" + proxy.port() + "/files/small.txt"), 120);
        assertTrue(load.contains("2000 succeeded, 0 failed, 0 errored") && load.contains("h2"), load);
    }

    /**
     * One HTTP/2 connection: a large hit read slowly (the client's stream window closes and the server must wait
     * for it, never buffering the rest) while other streams on the same connection are answered meanwhile.
     */
    @Test
    void h2_aSlowReaderHoldsOnlyItsOwnStream_theConnectionsOtherStreamsGoOn() throws Exception {
        proxy = startWith("");
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2)
                .sslContext(ca.clientContext()).build();
        java.net.URI largeUri = java.net.URI.create(url("/files/large.bin"));
        assertEquals(200, client.send(java.net.http.HttpRequest.newBuilder(largeUri).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode(), "the fill");
        java.net.http.HttpResponse<java.io.InputStream> slow = client.send(java.net.http.HttpRequest.newBuilder(largeUri).build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(java.net.http.HttpClient.Version.HTTP_2, slow.version());
        java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
        try (java.io.InputStream in = slow.body()) {
            read.write(in.readNBytes(64 * 1024));
            Thread.sleep(500); // the stream's window (64 KiB by default) is used up: the server waits
            for (int i = 0; i < 20; i++) {
                java.net.http.HttpResponse<String> other = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(url("/files/small.txt"))).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals("small body", other.body(), "another stream of the connection is answered meanwhile");
                assertEquals(java.net.http.HttpClient.Version.HTTP_2, other.version());
            }
            byte[] chunk;
            while ((chunk = in.readNBytes(256 * 1024)).length > 0) {
                read.write(chunk);
                Thread.sleep(10);
            }
        }
        assertArrayEquals(large, read.toByteArray(), "the slow reader gets every byte, in order");
    }

    @Test
    void h2cWithPriorKnowledge_onACleartextListener_whenConfigured() throws Exception {
        proxy = TestProxy.start(dir.resolve("store-h2c"), "  h2c: true\n", TestProxy.FILE_INSTANCE, up.baseUrl());
        String base = "http://127.0.0.1:" + proxy.port();
        Path got = dir.resolve("h2c.out");
        String miss = Commands.run(dir, List.of("curl", "-sS", "--http2-prior-knowledge", "-D", "-", "-o", got.toString(),
                base + "/files/large.bin"), 60);
        assertTrue(miss.startsWith("HTTP/2 200"), miss);
        assertArrayEquals(large, Files.readAllBytes(got));
        String hit = Commands.run(dir, List.of("curl", "-sS", "--http2-prior-knowledge", "-D", "-", "-o", got.toString(),
                base + "/files/large.bin"), 60);
        assertTrue(hit.contains("x-cache: HIT"), hit);
        assertArrayEquals(large, Files.readAllBytes(got), "a hit over h2c: DATA frames, not sendfile");
        String http11 = Commands.run(dir, List.of("curl", "-sS", "--http1.1", "-D", "-", "-o", "/dev/null",
                base + "/files/large.bin"), 60);
        assertTrue(http11.startsWith("HTTP/1.1 200") && http11.contains("X-Cache: HIT"), "HTTP/1.1 still works: " + http11);
        String load = Commands.run(dir, List.of("h2load", "-n", "1000", "-c", "2", "-m", "4", base + "/files/small.txt"), 120);
        assertTrue(load.contains("1000 succeeded, 0 failed, 0 errored"), load);
    }

    private static String etag(String headers) {
        return headers.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("etag:")).findFirst()
                .map(l -> l.substring(5).trim()).orElseThrow(() -> new AssertionError("no ETag in " + headers));
    }

    @Test
    void aRotatedCertificateIsServedWithoutARestart_whileAnOpenConnectionGoesOn() throws Exception {
        proxy = startWith("");
        assertTrue(subject().contains("CN = localhost"), subject());
        javax.net.ssl.SSLSocket open = (javax.net.ssl.SSLSocket) ca.clientContext().getSocketFactory()
                .createSocket("127.0.0.1", proxy.port());
        assertTrue(exchange(open).startsWith("HTTP/1.1 200"));
        TestCa.Issued next = ca.server("localhost-rotated", "DNS:localhost");
        // the way certbot and most tools rotate: new files renamed into place
        Files.move(Files.copy(next.key(), dir.resolve("key.tmp")), dir.resolve("live-key.pem"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        Files.move(Files.copy(next.certificate(), dir.resolve("cert.tmp")), dir.resolve("live-cert.pem"),
                StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!subject().contains("localhost-rotated")) {
            assertTrue(System.nanoTime() < deadline, "the rotated certificate was never served: " + subject());
            Thread.sleep(100);
        }
        String after = Commands.run(dir, curl("-D", "-", "-o", "/dev/null", url("/files/small.txt")), 60);
        assertTrue(after.startsWith("HTTP/1.1 200"), after);
        assertTrue(exchange(open).startsWith("HTTP/1.1 200"), "the connection opened before the rotation goes on");
        open.close();
    }

    @Test
    void anExpiredCertificateIsServed_andRefusedByClients() throws Exception {
        server = ca.expiredServer("localhost", "DNS:localhost");
        proxy = startWith("");
        Commands.Result curl = Commands.exec(dir, curl("-o", "/dev/null", url("/files/small.txt")), 60);
        assertEquals(60, curl.exit(), "curl refuses an expired certificate: " + curl.output());
        assertTrue(curl.output().contains("expired"), curl.output());
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) ca.clientContext().getSocketFactory()
                .createSocket("127.0.0.1", proxy.port());
        javax.net.ssl.SSLHandshakeException refused = org.junit.jupiter.api.Assertions.assertThrows(
                javax.net.ssl.SSLHandshakeException.class, socket::startHandshake, "the JDK refuses it too");
        assertTrue(String.valueOf(refused.getCause()).contains("expired") || String.valueOf(refused).contains("expired")
                || String.valueOf(refused).contains("validity"), refused.toString());
        socket.close();
    }

    /** One keep-alive GET of /files/small.txt on {@code socket}; the status line and headers. */
    private static String exchange(java.net.Socket socket) throws Exception {
        socket.getOutputStream().write("GET /files/small.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        var in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            assertTrue(c >= 0, "the connection closed: " + head);
            head.append((char) c);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        if (m.find()) {
            in.readNBytes(Integer.parseInt(m.group(1)));
        } else { // chunked: "a\r\nsmall body\r\n0\r\n\r\n"
            String rest = "";
            while (!rest.endsWith("0\r\n\r\n")) {
                rest += (char) in.read();
            }
        }
        return head.toString();
    }

    @Test
    void mutualTls_withoutAClientCertificateThereIsNoHandshake_withOneTheRequestIsServed() throws Exception {
        TestCa clients = TestCa.create(dir.resolve("clients"), "client CA");
        TestCa.Issued ci = clients.client("ci-runner-7");
        proxy = startWith("    client_ca: " + clients.certificate() + "\n");
        try (AccessLogCapture log = new AccessLogCapture()) {
            Commands.Result without = Commands.exec(dir, curl("-o", "/dev/null", url("/files/small.txt")), 60);
            assertNotEquals(0, without.exit(), without.output());
            String with = Commands.run(dir, curl("-D", "-", "-o", "/dev/null", "--cert", ci.certificate().toString(), "--key",
                    ci.key().toString(), url("/files/small.txt")), 60);
            assertTrue(with.startsWith("HTTP/1.1 200"), with);
            log.await(l -> l.startsWith("127.0.0.1 cert=\"CN=ci-runner-7\" GET"),
                    "the access log names the client certificate's subject");
        }
        TestCa.Issued stranger = ca.client("not-from-the-client-ca");
        Commands.Result foreign = Commands.exec(dir, curl("-o", "/dev/null", "--cert", stranger.certificate().toString(),
                "--key", stranger.key().toString(), url("/files/small.txt")), 60);
        assertNotEquals(0, foreign.exit(), "a certificate from another CA is refused: " + foreign.output());
    }

    @Test
    void aClientCertificateSubjectIsAPrincipal_ofTheInstancesAccessRules() throws Exception {
        TestCa clients = TestCa.create(dir.resolve("clients"), "client CA");
        TestCa.Issued runner = clients.client("ci-runner-7");
        TestCa.Issued other = clients.client("laptop-3");
        proxy = TestProxy.start(dir.resolve("store-subjects"), TestCa.tlsYaml(server, clients.certificate())
                + "    client_auth: optional\n", """
                  - name: files
                    enabled: true
                    access:
                      anonymous: none
                      principals:
                        - { name: runner, tls_subject: "CN=ci-runner-7" }
                    file:
                      route: { path: /files }
                      upstreams: ["${UPSTREAM}"]
                """, up.baseUrl());
        assertTrue(Commands.run(dir, curl("-D", "-", "-o", "/dev/null", url("/files/small.txt")), 60).startsWith("HTTP/1.1 401"),
                "no certificate (optional): anonymous, and anonymous may not read");
        assertTrue(Commands.run(dir, curl("-D", "-", "-o", "/dev/null", "--cert", other.certificate().toString(), "--key",
                other.key().toString(), url("/files/small.txt")), 60).startsWith("HTTP/1.1 401"), "a subject no rule names");
        for (String protocol : List.of("--http1.1", "--http2")) {
            String ok = Commands.run(dir, curl(protocol, "-D", "-", "-o", "/dev/null", "--cert", runner.certificate().toString(),
                    "--key", runner.key().toString(), url("/files/small.txt")), 60);
            assertTrue(ok.contains(" 200"), protocol + ": " + ok);
        }
    }

    @Test
    void validate_namesTheTlsKeyThatDoesNotMatchItsCertificate() throws Exception {
        TestCa.Issued other = ca.server("other", "DNS:localhost");
        Path config = Files.writeString(dir.resolve("tls.yaml"), """
                server:
                  bind: 127.0.0.1:0
                  backend: %s
                  tls:
                    certificate: %s
                    key: %s
                instances: []
                """.formatted(dir.resolve("store"), server.certificate(), other.key()));
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.run(new String[] {"-validate", "-config", config.toString()}, new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(err, true));
        assertEquals(1, code, out + "\n" + err);
        assertTrue(err.toString().contains("server.tls"), err.toString());
    }

    /** The subject of the certificate a new TLS connection is given now. */
    private String subject() throws Exception {
        Commands.Result r = Commands.exec(dir, List.of("sh", "-c", "openssl s_client -connect 127.0.0.1:" + proxy.port()
                + " -servername localhost </dev/null 2>/dev/null | openssl x509 -noout -subject"), 30);
        return r.output().trim();
    }
}

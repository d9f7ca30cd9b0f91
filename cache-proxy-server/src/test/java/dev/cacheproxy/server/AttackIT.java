package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outside attack of issue 14, replayed against a real proxy in front of nginx (which, like most
 * servers, decodes {@code %2F} and resolves dot segments): a traversal corpus against every mode's
 * mount, with nginx's access log as the witness that nothing outside an upstream base was ever asked
 * for; encoded slashes that must not share a key; credentials in an upstream URL that must be used and
 * never shown; an HTML page that must not become an artifact; {@code Host} names that must not
 * multiply what is stored.
 */
class AttackIT {
    /** Encoded spellings of "leave the base"; each is sent below every mount. */
    private static final List<String> CORPUS = List.of(
            "..%2Fprivate%2Fkey.txt", "x/..%2F..%2Fprivate%2Fkey.txt", "%2e%2e/private/key.txt",
            "%2E%2E%2Fprivate%2Fkey.txt", "a/%2e%2e/%2e%2e/private/key.txt", "..%5Cprivate%5Ckey.txt",
            "%252e%252e/private/key.txt", "..%252Fprivate%252Fkey.txt", "%c0%ae%c0%ae/private/key.txt",
            "..%c0%afprivate%c0%afkey.txt", "a%2F.%2F..%2F..%2Fprivate%2Fkey.txt", "..//private/key.txt",
            "x/-/..%2F..%2Fprivate%2Fkey.txt", "@s%2F..%2F..%2Fprivate%2Fkey.txt", "-/..%2F..%2Fprivate%2Fkey.txt",
            "dists/..%2F..%2Fprivate/InRelease", "v2/..%2F..%2Fprivate/manifests/latest",
            "v2/x/blobs/..%2F..%2Fprivate%2Fkey.txt", "%2Fprivate%2Fkey.txt", "a/%00/b");

    @TempDir
    static Path dir;

    private static NginxUpstream nginx;
    private static TestProxy proxy;
    private static int ociPort;

    @BeforeAll
    static void start() throws Exception {
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("pub/pkg"));
        Files.createDirectories(root.resolve("private"));
        Files.createDirectories(root.resolve("debian/dists/stable"));
        Files.createDirectories(root.resolve("pub/x/-"));
        Files.writeString(root.resolve("private/key.txt"), "TOP-SECRET\n");
        Files.writeString(root.resolve("pub/ok.txt"), "public\n");
        Files.writeString(root.resolve("pub/pkg/v1.tar"), "the real v1 tarball\n");
        Files.writeString(root.resolve("pub/x/-/x-1.0.0.tgz"), "<html><body>login page</body></html>\n");
        Files.writeString(root.resolve("debian/dists/stable/InRelease"), "Origin: test\n");
        // Apache's default: an encoded slash is refused (404); only the deb area wants credentials.
        nginx = new NginxUpstream(dir.resolve("nginx"), root, """
                    if ($request_uri ~* "%2F") { return 404; }
                    location /debian/ {
                      if ($http_authorization != "Basic dXNlcjpTM2NyM3Q=") { return 401; }
                      try_files $uri =404;
                    }
                """);
        nginx.start();
        String base = "http://127.0.0.1:" + nginx.port();
        Files.writeString(root.resolve("pub/big"), "{\"name\":\"big\",\"versions\":{\"1.0.0\":{\"dist\":{\"tarball\":"
                + "\"" + base + "/pub/big/-/big-1.0.0.tgz\"}}}}");
        proxy = TestProxy.start(dir.resolve("store"), "", """
                  - name: files
                    enabled: true
                    file: { route: { path: /f }, upstreams: [ "%1$s/pub" ], default_policy: immutable }
                  - name: npm
                    enabled: true
                    npm: { route: { path: /npm }, upstream: "%1$s/pub" }
                  - name: maven
                    enabled: true
                    maven: { route: { path: /maven }, upstream: "%1$s/pub" }
                  - name: deb
                    enabled: true
                    deb: { route: { path: /deb }, upstreams: [ "http://user:S3cr3t@127.0.0.1:%2$d/debian" ] }
                  - name: hub
                    enabled: true
                    oci: { bind: "127.0.0.1:0", upstream: "%1$s/pub" }
                  - name: py
                    enabled: true
                    pypi: { route: { path: /py }, upstream: "%1$s/pub/" }
                """.formatted(base, nginx.port()), base);
        ociPort = proxy.app().dedicatedAddress("hub").getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        nginx.close();
    }

    /** One request on a fresh connection; the status line and everything after it. */
    private static String raw(int port, String target, String host) throws IOException {
        return raw(port, target, host, "");
    }

    private static String raw(int port, String target, String host, String extraHeaderLines) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: application/json\r\n"
                    + extraHeaderLines + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    @Test
    void traversalCorpus_againstEveryMount_neverLeavesTheUpstreamBase() throws Exception {
        int before = nginx.accessLog().size();
        List<String> answers = new ArrayList<>();
        for (String attack : CORPUS) {
            for (String mount : List.of("/f/", "/npm/", "/maven/", "/deb/", "/py/", "/py/files/_/http/127.0.0.1:"
                    + nginx.port() + "/pub/")) {
                answers.add(mount + attack + " -> " + raw(proxy.port(), mount + attack, "127.0.0.1"));
            }
            answers.add("oci /" + attack + " -> " + raw(ociPort, "/" + attack, "127.0.0.1"));
        }
        for (String a : answers) {
            assertFalse(a.contains("TOP-SECRET"), a);
        }
        for (String line : nginx.accessLog().subList(before, nginx.accessLog().size())) {
            String uri = line.split(" ")[1];
            String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
            String decoded = URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
            assertTrue(path.startsWith("/pub/") || path.startsWith("/debian/"), "left the base: " + line);
            for (String piece : decoded.split("[/\\\\]")) {
                assertFalse(piece.equals("..") || piece.equals("."), "a dot segment reached the upstream: " + line);
            }
            assertFalse(decoded.toLowerCase(Locale.ROOT).contains("private"), line);
        }
        // refused before any mode (400), never disguised as a 404 of a real upstream answer or a 200
        for (String a : answers) {
            int code = status(a.substring(a.indexOf(" -> ") + 4));
            assertTrue(code == 400 || code == 404 || code == 405, a);
        }
    }

    /** A pypi file link names its host: one no page of the upstream links to is never asked, the upstream's own server included. */
    @Test
    void pypiFileLinks_reachOnlyWhereTheUpstreamsPagesLink() throws Exception {
        int before = nginx.accessLog().size();
        for (String target : List.of("/py/files/_/http/127.0.0.1:" + nginx.port() + "/private/key.txt",
                "/py/files/_/http/127.0.0.2:" + nginx.port() + "/pub/ok.txt", "/py/files/_/https/192.0.2.1/x.whl",
                "/py/files/_/http/127.0.0.1:" + nginx.port() + "/pub%2F..%2Fprivate/key.txt")) {
            String r = raw(proxy.port(), target, "127.0.0.1");
            assertFalse(r.contains("TOP-SECRET"), r);
            int code = status(r);
            assertTrue(code == 400 || code == 404, target + " -> " + r);
        }
        assertEquals(before, nginx.accessLog().size(), "no request reached any upstream");
        String inside = raw(proxy.port(), "/py/files/_/http/127.0.0.1:" + nginx.port() + "/pub/ok.txt", "127.0.0.1");
        assertEquals(200, status(inside), "below the upstream URL is allowed: " + inside);
    }

    @Test
    void encodedSlashAndRealSlash_areTwoKeys_aRefused404NeverHidesTheRealFile() throws Exception {
        String encoded = raw(proxy.port(), "/f/pkg%2Fv1.tar", "127.0.0.1");
        assertEquals(404, status(encoded), encoded);
        String real = raw(proxy.port(), "/f/pkg/v1.tar", "127.0.0.1");
        assertEquals(200, status(real), real);
        assertTrue(real.contains("the real v1 tarball"));
        assertEquals(404, status(raw(proxy.port(), "/f/pkg%2Fv1.tar", "127.0.0.1")));
        assertTrue(raw(proxy.port(), "/f/pkg/v1.tar", "127.0.0.1").contains("X-Cache: HIT"));
        // protocols without encoded slashes refuse them outright
        assertEquals(400, status(raw(proxy.port(), "/maven/org%2Fx/a/1/a-1.jar", "127.0.0.1")));
        assertEquals(400, status(raw(ociPort, "/v2/library%2Falpine/manifests/latest", "127.0.0.1")));
        assertEquals(400, status(raw(proxy.port(), "/deb/dists/stable%2Fmain/InRelease", "127.0.0.1")));
        assertEquals(400, status(raw(proxy.port(), "/npm/x/1.0.0%2F..", "127.0.0.1")));
    }

    @Test
    void credentialsInAnUpstreamUrl_areUsed_andAppearNowhere() throws Exception {
        String r = raw(proxy.port(), "/deb/dists/stable/InRelease", "127.0.0.1");
        assertEquals(200, status(r), r); // nginx answers 401 unless the Basic credentials were sent
        assertTrue(r.contains("Origin: test"));
        String home = raw(proxy.port(), "/", "127.0.0.1");
        String metrics = raw(proxy.port(), "/metrics", "127.0.0.1");
        assertFalse(home.contains("S3cr3t") || home.contains("user:"), home);
        assertFalse(metrics.contains("S3cr3t"));
        Thread.sleep(3000); // the discovered root's first refresh runs after a 2 s settle and saves its state
        try (Stream<Path> files = Files.walk(dir.resolve("store"))) {
            for (Path p : files.filter(Files::isRegularFile).filter(p -> !p.toString().contains("/blobs/")).toList()) {
                assertFalse(Files.readString(p, StandardCharsets.ISO_8859_1).contains("S3cr3t"), "secret in " + p);
            }
        }
        assertFalse(raw(proxy.port(), "/", "127.0.0.1").contains("S3cr3t"));
    }

    @Test
    void htmlPageAsAnNpmTarball_isNotStored() throws Exception {
        String r = raw(proxy.port(), "/npm/x/-/x-1.0.0.tgz", "127.0.0.1");
        assertNotEquals(200, status(r), r);
        String again = raw(proxy.port(), "/npm/x/-/x-1.0.0.tgz", "127.0.0.1");
        assertFalse(again.contains("X-Cache: HIT"), again);
    }

    @Test
    void hostHeaderNames_cannotMultiplyStoredVariants() throws Exception {
        assertEquals(200, status(raw(proxy.port(), "/npm/big", "127.0.0.1")));
        long before = blobs();
        Set<String> bodies = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            String r = raw(proxy.port(), "/npm/big", "h" + i + ".example.org:8080");
            assertEquals(200, status(r), r);
            bodies.add(r.substring(r.indexOf("\r\n\r\n")));
            assertTrue(r.contains("h" + i + ".example.org:8080/npm/big/-/big-1.0.0.tgz"), r);
        }
        long written = blobs() - before;
        assertTrue(written <= 2L * 4, "40 Host names wrote " + written + " blobs");
        // X-Forwarded-Host from an untrusted client is ignored
        String forwarded = raw(proxy.port(), "/npm/big", "127.0.0.1",
                "X-Forwarded-Host: evil.example.org\r\nX-Forwarded-Proto: https\r\n");
        assertFalse(forwarded.contains("evil.example.org"), forwarded);
        // a Host that is not a host name falls back to the listener
        String odd = raw(proxy.port(), "/npm/big", "a/b@evil");
        assertFalse(odd.contains("evil"), odd);
    }

    private static long blobs() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("store/blobs"))) {
            return s.filter(Files::isRegularFile).count();
        }
    }
}

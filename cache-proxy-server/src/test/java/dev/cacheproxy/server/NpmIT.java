package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The npm mode proven by the real npm CLI: a registry built with {@code npm pack} (test resource
 * {@code npm/make-registry.sh}) served by a real nginx, cache-proxy in front of it. npm and nginx are
 * test dependencies (.ci/run installs nginx; node and npm are on the machine); a missing one fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NpmIT {
    private static final String AUDIT_AND_PING = """
                location = /npm/-/npm/v1/security/advisories/bulk { default_type application/json; return 200 '{}'; }
                location = /npm/-/ping { default_type application/json; return 200 '{}'; }
            """;

    private Path work;
    private Path registry;
    private NginxUpstream upstream;
    private TestProxy proxy;
    private String registryUrl;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("npm-it");
        Path root = work.resolve("up");
        registry = root.resolve("npm");
        upstream = new NginxUpstream(work.resolve("nginx"), root, AUDIT_AND_PING);
        Path script = Path.of(NpmIT.class.getResource("/npm/make-registry.sh").toURI());
        Commands.run(work, List.of("bash", script.toString(), registry.toString(), upstream.url("/npm")), 120);
        upstream.start();
        proxy = npmProxy(work.resolve("backend"));
        registryUrl = "http://127.0.0.1:" + proxy.port() + "/npm/";
    }

    @AfterAll
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        try (Stream<Path> s = Files.walk(work)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void install_withAudit_thenFromTheProxyAloneWithTheUpstreamStopped_thenCi() throws Exception {
        Path project = project("install", "\"@localtest/hello-dep\": \"^1.0.0\", \"hello-util\": \"^2.0.0\"");
        int logBefore = upstream.accessLog().size();
        String out = npm(project, "cache-1", "install", "--audit");
        assertFalse(out.contains("npm error") || out.contains("npm warn audit"), out);
        assertInstalled(project);
        String lock = Files.readString(project.resolve("package-lock.json"));
        assertTrue(lock.contains("\"resolved\": \"" + registryUrl + "@localtest/hello-dep/-/hello-dep-1.0.0.tgz\""), lock);
        assertTrue(lock.contains("\"resolved\": \"" + registryUrl + "hello-local/-/hello-local-1.1.0.tgz\""), lock);
        assertFalse(lock.contains(upstream.url("")), "no upstream URL may reach the client: " + lock);

        String audit = npm(project, "cache-1", "audit");
        assertTrue(audit.contains("found 0 vulnerabilities"), audit);
        List<String> log = upstream.accessLog();
        List<String> posts = log.subList(logBefore, log.size()).stream()
                .filter(l -> l.startsWith("POST /npm/-/npm/v1/security/advisories/bulk 200")).toList();
        assertEquals(2, posts.size(), "install and audit each forwarded one audit request: " + posts);
        String contentLength = posts.get(0).substring(posts.get(0).lastIndexOf(' ') + 1);
        assertTrue(contentLength.matches("[1-9][0-9]*"), "the audit body reached the upstream: " + posts.get(0));

        upstream.stop();
        try {
            Commands.deleteTree(project.resolve("node_modules"));
            npm(project, "cache-2", "install");
            assertInstalled(project);
            Commands.deleteTree(project.resolve("node_modules"));
            npm(project, "cache-3", "ci");
            assertInstalled(project);
        } finally {
            upstream.start();
        }
    }

    @Test
    void outdated_asksForAbbreviatedDocuments_separateFromTheFullOnes() throws Exception {
        Path project = project("outdated", "\"hello-local\": \"1.0.0\"");
        npm(project, "cache-o", "install");
        // hello-local 1.0.0 is behind latest 1.1.0: npm outdated says so and exits 1
        String out = npm(project, "cache-o2", 1, "outdated");
        assertTrue(out.contains("hello-local") && out.contains("1.1.0"), out);
        List<String> lines = upstream.accessLog().stream().filter(l -> l.startsWith("GET /npm/hello-local ")).toList();
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"application/vnd.npm.install-v1+json")),
                "the upstream saw the abbreviated Accept: " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"application/json\"")), "and the full one: " + lines);

        HttpResponse<byte[]> full = proxy.get("/npm/hello-local", "Accept", "application/json");
        HttpResponse<byte[]> corgi = proxy.get("/npm/hello-local", "Accept", "application/vnd.npm.install-v1+json");
        assertEquals(200, full.statusCode());
        assertEquals(200, corgi.statusCode());
        assertNotEquals(full.headers().firstValue("X-Cache"), java.util.Optional.empty());
    }

    @Test
    void tamperedTarball_isRefused_andNeverStored() throws Exception {
        Path tarball = registry.resolve("tampered-pkg/-/tampered-pkg-1.0.0.tgz");
        Path good = registry.resolve("tampered-pkg/-/tampered-pkg-1.0.0.tgz.good");
        byte[] tampered = Files.readAllBytes(tarball);
        assertEquals(200, proxy.get("/npm/tampered-pkg").statusCode()); // the proxy learns the integrity here
        try {
            HttpResponse<byte[]> r = proxy.get("/npm/tampered-pkg/-/tampered-pkg-1.0.0.tgz");
            assertFalse(r.statusCode() == 200 && java.util.Arrays.equals(r.body(), tampered),
                    "the tampered bytes were served as a complete body");
        } catch (IOException cut) {
            // expected: the body was cut when the digest did not match
        }
        Path project = project("tampered", "\"tampered-pkg\": \"1.0.0\"");
        npm(project, "cache-t", -1, "install", "--fetch-retries=0");
        assertFalse(Files.exists(project.resolve("node_modules/tampered-pkg/package.json")));

        Files.copy(good, tarball, StandardCopyOption.REPLACE_EXISTING);
        try {
            HttpResponse<byte[]> fixed = proxy.get("/npm/tampered-pkg/-/tampered-pkg-1.0.0.tgz");
            assertEquals(200, fixed.statusCode());
            assertEquals("MISS", fixed.headers().firstValue("X-Cache").orElse(""), "nothing was stored before");
            assertArrayEquals(Files.readAllBytes(good), fixed.body());
        } finally {
            Files.write(tarball, tampered);
        }
    }

    @Test
    void afterARestart_tarballsAreVerifiedAgainstTheStoredPackument() throws Exception {
        Path backend = work.resolve("backend-restart");
        try (TestProxy first = npmProxy(backend)) {
            assertEquals(200, first.get("/npm/tampered-pkg").statusCode());
        }
        try (TestProxy second = npmProxy(backend)) {
            // no packument request since this start: npm ci asks for tarballs only
            try {
                HttpResponse<byte[]> r = second.get("/npm/tampered-pkg/-/tampered-pkg-1.0.0.tgz");
                assertFalse(r.statusCode() == 200 && java.util.Arrays.equals(r.body(),
                        Files.readAllBytes(registry.resolve("tampered-pkg/-/tampered-pkg-1.0.0.tgz"))),
                        "the tampered bytes were served as a complete body");
            } catch (IOException cut) {
                // expected: the body was cut when the digest did not match
            }
        }
    }

    @Test
    void npmOverHttps_withTheTestCaAsCafile_andItsAuthTokenForAProtectedInstance() throws Exception {
        TestCa ca = TestCa.create(work.resolve("tls-ca"), "npm test CA");
        TestCa.Issued server = ca.server("localhost", "DNS:localhost");
        try (TestProxy tls = TestProxy.start(work.resolve("backend-tls"), TestCa.tlsYaml(server, null), """
                  - name: npm
                    enabled: true
                    npm:
                      route: { path: /npm }
                      upstream: ${UPSTREAM}
                    access:
                      anonymous: none
                      principals: [ { name: ci, token: "npm-s3cret" } ]
                """, upstream.url("/npm"))) {
            Path project = Files.createDirectories(work.resolve("project-https"));
            // the token as npm keeps it for a registry: sent as "Authorization: Bearer"
            Path npmrc = Files.writeString(work.resolve("npmrc-https"), "//localhost:" + tls.port() + "/npm/:_authToken=npm-s3cret\n");
            Files.writeString(project.resolve("package.json"), "{\"name\":\"https-consumer\",\"version\":\"1.0.0\"}");
            Commands.run(project, List.of("npm", "install", "--registry", "https://localhost:" + tls.port() + "/npm/",
                    "--cafile", ca.certificate().toString(), "--cache", work.resolve("npm-caches/https").toString(),
                    "--userconfig", npmrc.toString(), "--update-notifier=false", "--fund=false", "--audit=false",
                    "--loglevel=warn", "@localtest/hello-dep"), 300);
            String lock = Files.readString(project.resolve("package-lock.json"));
            assertTrue(lock.contains("\"resolved\": \"https://localhost:" + tls.port() + "/npm/"), lock);
            Path stranger = Files.createDirectories(work.resolve("project-https-no-token"));
            Files.writeString(stranger.resolve("package.json"), "{\"name\":\"stranger\",\"version\":\"1.0.0\"}");
            Commands.Result refused = Commands.exec(stranger, List.of("npm", "install", "--registry", "https://localhost:"
                    + tls.port() + "/npm/", "--cafile", ca.certificate().toString(), "--cache",
                    work.resolve("npm-caches/https-2").toString(), "--userconfig", "/dev/null", "--update-notifier=false",
                    "--fund=false", "--audit=false", "@localtest/hello-dep"), 300);
            assertTrue(refused.exit() != 0 && refused.output().contains("401"), "npm without the token: " + refused.output());
        }
    }

    private TestProxy npmProxy(Path backend) throws Exception {
        return TestProxy.start(backend, "", """
                  - name: npm
                    enabled: true
                    npm:
                      route: { path: /npm }
                      upstream: ${UPSTREAM}
                """, upstream.url("/npm"));
    }

    @Test
    void http_scopedSpellings_conditionalAndGzip_versionDocs_errors() throws Exception {
        String a = body(proxy.get("/npm/@localtest%2fhello-dep"));
        assertEquals(a, body(proxy.get("/npm/@localtest%2Fhello-dep")));
        assertEquals(a, body(proxy.get("/npm/@localtest/hello-dep")));
        assertTrue(a.contains("\"tarball\":\"" + registryUrl + "@localtest/hello-dep/-/hello-dep-1.0.0.tgz\""), a);

        HttpResponse<byte[]> first = proxy.get("/npm/hello-util");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertEquals("Accept, Accept-Encoding", first.headers().firstValue("Vary").orElse(""));
        assertEquals("no-cache", first.headers().firstValue("Cache-Control").orElse(""),
                "metadata_fresh_for unset: clients must ask again, never guess a freshness");
        HttpResponse<byte[]> head = proxy.send("HEAD", "/npm/hello-util");
        assertEquals(String.valueOf(first.body().length), head.headers().firstValue("Content-Length").orElse(""));
        assertEquals(304, proxy.get("/npm/hello-util", "If-None-Match", etag).statusCode());
        HttpResponse<byte[]> gz = proxy.get("/npm/hello-util", "Accept-Encoding", "gzip");
        assertEquals("gzip", gz.headers().firstValue("Content-Encoding").orElse(""));
        assertNotEquals(etag, gz.headers().firstValue("ETag").orElse(""));
        assertArrayEquals(first.body(), new GZIPInputStream(new ByteArrayInputStream(gz.body())).readAllBytes());

        String version = body(proxy.get("/npm/hello-local/1.0.0"));
        assertTrue(version.contains("\"tarball\":\"" + registryUrl + "hello-local/-/hello-local-1.0.0.tgz\""), version);

        HttpResponse<byte[]> missing = proxy.get("/npm/no-such-package");
        assertEquals(404, missing.statusCode());
        assertEquals("{\"error\":\"Not found\"}\n", body(missing));
        assertEquals(400, proxy.get("/npm/.hidden").statusCode());
        assertEquals(404, proxy.get("/npm/").statusCode());
        assertEquals("{}", body(proxy.get("/npm/-/ping")));
        assertEquals(405, proxy.send("POST", "/npm/hello-local").statusCode());
        assertEquals(405, proxy.send("PUT", "/npm/-/npm/v1/security/advisories/bulk").statusCode());
        String tooLarge = proxy.raw("POST /npm/-/npm/v1/security/advisories/bulk HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + (17 << 20) + "\r\n\r\n{}");
        assertTrue(tooLarge.startsWith("HTTP/1.1 413 "), tooLarge);
        // a POST with a body, then a GET on the same connection: the body was consumed, the connection kept
        String twoRequests = proxy.raw("POST /npm/-/npm/v1/security/advisories/bulk HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                + "GET /npm/-/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(2, twoRequests.split("HTTP/1.1 200 OK", -1).length - 1, twoRequests);

        upstream.stop();
        try {
            HttpResponse<byte[]> down = proxy.get("/npm/never-requested");
            assertEquals(502, down.statusCode(), "an unreachable upstream is not a 404");
            assertTrue(body(down).startsWith("{\"error\":"), body(down));
            assertTrue(down.headers().firstValue("Retry-After").isPresent());
            assertEquals(200, proxy.get("/npm/hello-util").statusCode(), "a stored packument is served stale");
        } finally {
            upstream.start();
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private void assertInstalled(Path project) throws Exception {
        String out = Commands.run(project, List.of("node", "-e", "console.log(require('@localtest/hello-dep'), "
                + "require('hello-local'), require('hello-util'))"), 60);
        assertEquals("@localtest/hello-dep@1.0.0 hello-local@1.1.0 hello-util@2.0.0", out.strip());
    }

    private Path project(String name, String dependencies) throws IOException {
        Path p = work.resolve("projects").resolve(name);
        Files.createDirectories(p);
        Files.writeString(p.resolve("package.json"),
                "{\"name\":\"p-" + name + "\",\"version\":\"0.0.0\",\"private\":true,\"dependencies\":{" + dependencies + "}}");
        return p;
    }

    private String npm(Path project, String cache, String... args) throws Exception {
        return npm(project, cache, 0, args);
    }

    /** Runs npm against the proxy with its own cache; {@code expectedExit} -1 means "any failure". */
    private String npm(Path project, String cache, int expectedExit, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("npm"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--registry", registryUrl, "--cache", work.resolve("npm-caches").resolve(cache).toString(),
                "--userconfig", "/dev/null", "--update-notifier=false", "--fund=false", "--loglevel=warn"));
        Commands.Result r = Commands.exec(project, cmd, 180);
        if (expectedExit < 0) {
            assertNotEquals(0, r.exit(), String.join(" ", cmd) + " should fail\n" + r.output());
        } else {
            assertEquals(expectedExit, r.exit(), String.join(" ", cmd) + "\n" + r.output());
        }
        return r.output();
    }


    private static String body(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }
}

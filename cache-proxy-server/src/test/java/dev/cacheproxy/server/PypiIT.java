package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The pypi mode proven by real pip (always {@code --isolated --no-cache-dir} in a fresh venv, so the
 * machine's own pip configuration and cache play no part): an index built by test resource
 * {@code pypi/make-index.py} whose pages are on 127.0.0.1 and whose files are on 127.0.0.2, with PEP 658
 * metadata, served by a real nginx; and the large real tree this machine carries in {@code /opt/pypi}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PypiIT {
    private static final Path LARGE_TREE = Path.of("/opt/pypi");

    private Path work;
    private Path index;
    private NginxUpstream upstream;
    private TestProxy proxy;
    private String indexUrl;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("pypi-it");
        index = work.resolve("up");
        upstream = new NginxUpstream(work.resolve("nginx"), index, "", ""); // every address: 127.0.0.2 too
        Path script = Path.of(PypiIT.class.getResource("/pypi/make-index.py").toURI());
        Commands.run(work, List.of("python3", script.toString(), index.toString(),
                "http://127.0.0.2:" + upstream.port()), 60);
        upstream.start();
        proxy = TestProxy.start(work.resolve("backend"), "", """
                  - name: pypi
                    enabled: true
                    pypi:
                      route: { path: /pypi }
                      upstream: ${UPSTREAM}
                      index_fresh_for: 1s
                """, upstream.url("/"));
        indexUrl = "http://127.0.0.1:" + proxy.port() + "/pypi/simple/";
    }

    @AfterAll
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        Commands.deleteTree(work);
    }

    @Test
    void install_download_requireHashes_thenWithTheUpstreamStopped() throws Exception {
        Path venv = venv("install");
        pip(venv, "install", "hello-dep");
        String version = Commands.run(work, List.of(venv.resolve("bin/python").toString(), "-c",
                "import hello_local, hello_dep; print(hello_local.VERSION)"), 30).strip();
        assertEquals("1.1", version, "hello-dep pulled hello-local>=1.1 through the proxy");
        List<String> log = upstream.accessLog();
        assertTrue(log.stream().anyMatch(l -> l.startsWith("GET /files/hello_dep-1.0-py3-none-any.whl.metadata 200")),
                "pip read the PEP 658 metadata through the proxy: " + log);
        assertTrue(log.stream().anyMatch(l -> l.startsWith("GET /files/hello_local-1.1-py3-none-any.whl 200")), log.toString());

        Path dl = work.resolve("dl");
        pip(venv("download"), "download", "--no-deps", "--no-binary", ":all:", "-d", dl.toString(), "hello-local==1.0");
        assertTrue(Files.exists(dl.resolve("hello_local-1.0.tar.gz")), "the sdist was downloaded");

        JsonNode files = page("hello-local").get("files");
        String hash = "";
        for (JsonNode f : files) {
            if (f.get("filename").asText().equals("hello_local-1.1-py3-none-any.whl")) {
                hash = f.at("/hashes/sha256").asText();
            }
        }
        assertFalse(hash.isEmpty());
        Path requirements = work.resolve("requirements.txt");
        Files.writeString(requirements, "hello-local==1.1 --hash=sha256:" + hash + "\n");
        pip(venv("hashes"), "install", "--require-hashes", "-r", requirements.toString());

        upstream.stop();
        try {
            Thread.sleep(1100); // index_fresh_for: 1s passes: pages are now served stale
            Path offline = venv("offline");
            pip(offline, "install", "hello-dep");
            HttpResponse<byte[]> stale = proxy.get("/pypi/simple/hello-dep/");
            assertEquals(200, stale.statusCode());
            assertEquals("STALE", stale.headers().firstValue("X-Cache").orElse(""));
        } finally {
            upstream.start();
        }
    }

    @Test
    void jsonPages_followPep691_andLinkFilesOnTheOtherHostThroughTheProxy() throws Exception {
        HttpResponse<byte[]> r = proxy.get("/pypi/simple/hello-local/", "Accept",
                "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01");
        assertEquals(200, r.statusCode());
        assertEquals("application/vnd.pypi.simple.v1+json", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.headers().firstValue("ETag").isPresent());
        JsonNode page = new ObjectMapper().readTree(r.body());
        assertEquals("1.0", page.at("/meta/api-version").asText());
        assertEquals("hello-local", page.get("name").asText());
        assertEquals(4, page.get("files").size());
        for (JsonNode f : page.get("files")) {
            assertTrue(f.get("filename").isTextual() && f.get("url").isTextual() && f.get("hashes").isObject(), f.toString());
            f.get("hashes").forEach(h -> assertTrue(h.isTextual(), f.toString()));
            assertTrue(f.get("url").asText().startsWith("http://127.0.0.1:" + proxy.port() + "/pypi/files/sha256-"), f.toString());
            assertTrue(f.get("url").asText().contains("/http/127.0.0.2:" + upstream.port() + "/files/"), f.toString());
            assertEquals(">=3.7", f.get("requires-python").asText());
            if (f.get("filename").asText().endsWith(".whl")) {
                assertTrue(f.at("/core-metadata/sha256").isTextual(), f.toString());
            }
        }
        HttpResponse<byte[]> html = proxy.get("/pypi/simple/hello-local/", "Accept", "text/html");
        assertEquals("text/html; charset=utf-8", html.headers().firstValue("Content-Type").orElse(""));
        String text = new String(html.body());
        assertTrue(text.contains("#sha256=") && text.contains("data-core-metadata=\"sha256=")
                && text.contains("data-requires-python=\"&gt;=3.7\""), text);

        HttpResponse<byte[]> moved = proxy.get("/pypi/simple/Hello_Dep/");
        assertEquals(301, moved.statusCode());
        assertEquals("http://127.0.0.1:" + proxy.port() + "/pypi/simple/hello-dep/",
                moved.headers().firstValue("Location").orElse(""));
        assertEquals(404, proxy.get("/pypi/simple/no-such-project/").statusCode(), "a 404 stays a 404");
        HttpResponse<byte[]> foreign = proxy.get("/pypi/files/_/http/192.0.2.1:9/files/x.whl");
        assertNotEquals(200, foreign.statusCode(), "a host no page links to is never fetched");
    }

    @Test
    void tamperedWheel_isRefused_andNeverStored() throws Exception {
        Path published = index.resolve("files/tampered_pkg-1.0-py3-none-any.whl");
        Files.copy(Path.of(published + ".evil"), published, StandardCopyOption.REPLACE_EXISTING);
        String link = page("tampered-pkg").get("files").get(0).get("url").asText();
        String path = link.substring(link.indexOf("/pypi/"));
        try {
            HttpResponse<byte[]> r = proxy.get(path);
            assertFalse(r.statusCode() == 200 && Arrays.equals(r.body(), Files.readAllBytes(published)),
                    "the tampered bytes were served as a complete body");
        } catch (IOException cut) {
            // expected: the body was cut when the digest did not match
        }
        Commands.Result refused = Commands.exec(work, pipCommand(venv("tampered"), "install", "tampered-pkg"), 180);
        assertNotEquals(0, refused.exit(), refused.output());

        Files.copy(Path.of(published + ".good"), published, StandardCopyOption.REPLACE_EXISTING);
        HttpResponse<byte[]> good = proxy.get(path);
        assertEquals(200, good.statusCode());
        assertNotEquals("HIT", good.headers().firstValue("X-Cache").orElse(""), "nothing was stored before");
        pip(venv("tampered-good"), "install", "tampered-pkg");
    }

    @Test
    void largeRealTree_coldThenWarm() throws Exception {
        assertTrue(Files.isDirectory(LARGE_TREE.resolve("simple")), "this machine carries " + LARGE_TREE);
        Path dir = work.resolve("large");
        try (NginxUpstream large = new NginxUpstream(dir.resolve("nginx"), LARGE_TREE, "");
                TestProxy p = TestProxy.start(dir.resolve("backend"), "", """
                          - name: pypi
                            enabled: true
                            pypi:
                              route: { path: /pypi }
                              upstream: ${UPSTREAM}
                        """, large.url("/"))) {
            large.start();
            String url = "http://127.0.0.1:" + p.port() + "/pypi/simple/";
            pipFrom(venv("large-cold"), url, "install", "requests", "numpy");
            int files = (int) large.accessLog().stream().filter(l -> l.startsWith("GET /files/")).count();
            assertTrue(files >= 6, "requests, its four dependencies and numpy came from the upstream: " + files);
            pipFrom(venv("large-warm"), url, "install", "requests", "numpy");
            long again = large.accessLog().stream().filter(l -> l.startsWith("GET /files/")).count();
            assertEquals(files, again, "the warm install took every file from the cache");
        }
    }

    private JsonNode page(String project) throws Exception {
        HttpResponse<byte[]> r = proxy.get("/pypi/simple/" + project + "/", "Accept", "application/vnd.pypi.simple.v1+json");
        assertEquals(200, r.statusCode(), new String(r.body()));
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void pipOverHttps_trustingTheTestCa_withAClientCertificate_andItsTokenForAProtectedInstance() throws Exception {
        TestCa ca = TestCa.create(work.resolve("tls-ca"), "pypi test CA");
        TestCa.Issued server = ca.server("localhost", "DNS:localhost");
        TestCa.Issued client = ca.client("pip-on-ci");
        try (TestProxy tls = TestProxy.start(work.resolve("backend-tls"), TestCa.tlsYaml(server, ca.certificate()), """
                  - name: pypi
                    enabled: true
                    access:
                      anonymous: none
                      principals: [ { name: ci, token: "pypi-s3cret" } ]
                    pypi:
                      route: { path: /pypi }
                      upstream: ${UPSTREAM}
                """, upstream.url("/"))) {
            Path venv = venv("https");
            Path dl = work.resolve("dl-https");
            // the token as pip sends it: the password of the index URL's credentials (Basic), to pages and files alike
            String url = "https://ci:pypi-s3cret@localhost:" + tls.port() + "/pypi/simple/";
            Commands.run(work, withoutCaBundleVariables(pipCommandFrom(venv, url, "download", "--no-deps", "-d",
                    dl.toString(), "--cert", ca.certificate().toString(), "--client-cert", client.combined().toString(),
                    "hello-dep")), 300);
            try (var files = Files.list(dl)) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("hello_dep")), "downloaded over mTLS");
            }
            Commands.Result refused = Commands.exec(work, withoutCaBundleVariables(pipCommandFrom(venv, url, "download",
                    "--no-deps", "-d", work.resolve("dl-refused").toString(), "--cert", ca.certificate().toString(),
                    "hello-dep")), 300);
            assertTrue(refused.exit() != 0, "without a client certificate pip gets no handshake: " + refused.output());
        }
    }

    /**
     * {@code cmd} without the CA bundle variables of requests: pip hands {@code --cert} to its session, but
     * requests lets REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE (set on machines like this one) win over a
     * session's setting, and {@code --isolated} does not clear them.
     */
    private static List<String> withoutCaBundleVariables(List<String> cmd) {
        List<String> out = new ArrayList<>(List.of("env", "-u", "REQUESTS_CA_BUNDLE", "-u", "CURL_CA_BUNDLE"));
        out.addAll(cmd);
        return out;
    }

    private Path venv(String name) throws Exception {
        Path v = work.resolve("venv-" + name);
        Commands.run(work, List.of("python3", "-m", "venv", v.toString()), 120);
        return v;
    }

    private void pip(Path venv, String... args) throws Exception {
        pipFrom(venv, indexUrl, args);
    }

    private void pipFrom(Path venv, String url, String... args) throws Exception {
        Commands.run(work, pipCommandFrom(venv, url, args), 300);
    }

    private List<String> pipCommand(Path venv, String... args) {
        return pipCommandFrom(venv, indexUrl, args);
    }

    /** pip {@code args[0]} with the proxy at {@code url} as its only index, ignoring the machine's configuration. */
    private static List<String> pipCommandFrom(Path venv, String url, String... args) {
        List<String> cmd = new ArrayList<>(List.of(venv.resolve("bin/pip").toString(), "--isolated",
                "--disable-pip-version-check", "--no-cache-dir", "--retries", "0", "--timeout", "30"));
        cmd.add(args[0]);
        cmd.addAll(List.of("--index-url", url));
        cmd.addAll(Arrays.asList(args).subList(1, args.length));
        return cmd;
    }

}

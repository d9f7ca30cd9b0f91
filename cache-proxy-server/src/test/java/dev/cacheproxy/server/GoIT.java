package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The go mode proven by the real go command (1.19, Debian's golang-go): a GOPROXY tree and a checksum
 * database signed with a fresh key by golang.org/x/mod/sumdb (test resource {@code go/make-proxy.sh}),
 * served by a real nginx, with {@code GOSUMDB} verification on and going through the proxy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GoIT {
    private Path work;
    private Path tree;
    private NginxUpstream upstream;
    private TestProxy proxy;
    private String goproxy;
    private String gosumdb;

    private static final String GO_INSTANCE = """
              - name: go
                enabled: true
                go:
                  route: { path: /go }
                  proxies: [ "${UPSTREAM}/go" ]
                  module_fresh_for: 1s
                  sumdb: { enabled: true, name: localsum, url: "${UPSTREAM}/sumdb/localsum" }
                  goprivate: [ "private.example.com" ]
            """;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("go-it");
        tree = work.resolve("up");
        Path script = Path.of(GoIT.class.getResource("/go/make-proxy.sh").toURI());
        Commands.run(work, List.of("bash", script.toString(), tree.toString()), 300);
        gosumdb = Files.readString(tree.resolve("sumdb/localsum/vkey")).strip();
        upstream = new NginxUpstream(work.resolve("nginx"), tree, "");
        upstream.start();
        proxy = TestProxy.start(work.resolve("backend"), "", GO_INSTANCE, upstream.url(""));
        goproxy = "http://127.0.0.1:" + proxy.port() + "/go";
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
    void build_download_list_get_throughTheProxy_withTheChecksumDatabase_thenWithTheUpstreamStopped() throws Exception {
        Path project = project("build");
        String out = go(project, "cache-1", goproxy, "run", ".");
        assertEquals("dep+v1.1.0 v0.1.0", out.strip().lines().reduce((a, b) -> b).orElse(""), out);
        String sum = Files.readString(project.resolve("go.sum"));
        for (String line : Files.readAllLines(tree.resolve("go.sum.expected"))) {
            if (line.startsWith("example.com/dep ") || line.startsWith("example.com/CamelCase ")) {
                assertTrue(sum.contains(line), "go.sum has " + line + ":\n" + sum);
            }
        }
        List<String> log = upstream.accessLog();
        assertTrue(log.stream().anyMatch(l -> l.startsWith("GET /sumdb/localsum/lookup/example.com/dep@v1.0.0 200")),
                "the go command verified through the proxied checksum database: " + log);
        assertTrue(log.stream().anyMatch(l -> l.startsWith("GET /go/example.com/!camel!case/@v/v0.1.0.zip 200")),
                "the escaped path reached the upstream: " + log);

        String download = go(project, "cache-2", goproxy, "mod", "download", "-json", "example.com/hello@v1.0.0");
        assertTrue(download.contains("\"Sum\": \"h1:"), download);
        String versions = go(project, "cache-2", goproxy, "list", "-m", "-versions", "example.com/hello");
        assertTrue(versions.contains("example.com/hello v1.0.0 v1.1.0"), versions);
        go(project, "cache-2", goproxy, "get", "example.com/hello@latest");
        assertTrue(Files.readString(project.resolve("go.mod")).contains("example.com/hello v1.1.0"));

        upstream.stop();
        try {
            String offline = go(project, "cache-3", goproxy, "run", ".");
            assertTrue(offline.strip().endsWith("dep+v1.1.0 v0.1.0"), offline);
        } finally {
            upstream.start();
        }
    }

    @Test
    void goproxyList_fallsThroughOnTheProxys404_toTheNextProxy() throws Exception {
        Path project = project("chain");
        String second = upstream.url("/second");
        String out = go(project, "cache-c", goproxy + "," + second, "get", "example.com/second@v1.0.0");
        assertTrue(Files.readString(project.resolve("go.mod")).contains("example.com/second v1.0.0"), out);
        HttpResponse<byte[]> r = proxy.get("/go/example.com/second/@v/v1.0.0.info");
        assertEquals(404, r.statusCode(), "not on the proxy's upstream: a 404 the go command falls through on");
        assertEquals(404, proxy.get("/go/private.example.com/x/@v/list").statusCode(), "goprivate");
        assertEquals(200, proxy.get("/go/sumdb/localsum/supported").statusCode());
        assertEquals(404, proxy.get("/go/sumdb/sum.golang.org/supported").statusCode(), "only the configured database");
        HttpResponse<byte[]> query = proxy.get("/go/example.com/hello/@v/master.info");
        assertEquals(404, query.statusCode());
        assertTrue(new String(query.body()).startsWith("not found: "), new String(query.body()));
    }

    @Test
    void tamperedZip_isRefused_notStored_andTheGoCommandFails() throws Exception {
        Path zip = tree.resolve("go/example.com/tampered/@v/v1.0.0.zip");
        Files.copy(Path.of(zip + ".evil"), zip, StandardCopyOption.REPLACE_EXISTING);
        Path project = project("tampered");
        Commands.Result r = Commands.exec(project, goCommand(project, "cache-t", goproxy, "mod", "download",
                "example.com/tampered@v1.0.0"), 300);
        assertNotEquals(0, r.exit(), "the go command must not succeed with the tampered zip: " + r.output());
        try {
            HttpResponse<byte[]> direct = proxy.get("/go/example.com/tampered/@v/v1.0.0.zip");
            assertFalse(direct.statusCode() == 200 && Arrays.equals(direct.body(), Files.readAllBytes(zip)),
                    "the tampered zip was served whole");
        } catch (IOException cut) {
            // expected: the download was cut when the hash did not match
        }
        Files.copy(Path.of(zip + ".good"), zip, StandardCopyOption.REPLACE_EXISTING);
        HttpResponse<byte[]> good = proxy.get("/go/example.com/tampered/@v/v1.0.0.zip");
        assertEquals(200, good.statusCode());
        assertNotEquals("HIT", good.headers().firstValue("X-Cache").orElse(""), "nothing had been stored");
        go(project, "cache-t2", goproxy, "mod", "download", "example.com/tampered@v1.0.0");
    }

    @Test
    void storageFull_aModuleZipIsRefusedWithAReason_neverPassedOnUnchecked_andServedOnceThereIsRoom() throws Exception {
        Path backend = work.resolve("backend-full");
        try (TestProxy full = TestProxy.start(backend, TestProxy.STORAGE_FULL, GO_INSTANCE, upstream.url(""))) {
            String fullProxy = "http://127.0.0.1:" + full.port() + "/go";
            Path project = Files.createDirectories(work.resolve("project-full"));
            Commands.Result r = Commands.exec(project, goCommand(project, "full", fullProxy, "mod", "download",
                    "example.com/hello@v1.0.0"), 300);
            assertNotEquals(0, r.exit(), r.output());
            assertTrue(r.output().contains("503") && r.output().contains("storage is full"), r.output());
        }
        try (TestProxy roomy = TestProxy.start(backend, "", GO_INSTANCE, upstream.url(""))) {
            Path project = Files.createDirectories(work.resolve("project-roomy"));
            String out = Commands.run(project, goCommand(project, "roomy", "http://127.0.0.1:" + roomy.port() + "/go",
                    "mod", "download", "-json", "example.com/hello@v1.0.0"), 300);
            assertTrue(out.contains("\"Version\": \"v1.0.0\""), out);
            assertFalse(TestProxy.storedBlobs(backend).isEmpty(), "stored, now that there is room");
        }
    }

    /** A module that imports dep and CamelCase. */
    private Path project(String name) throws Exception {
        Path p = Files.createDirectories(work.resolve("proj-" + name));
        Files.writeString(p.resolve("go.mod"), "module example.org/c\n\ngo 1.18\n");
        Files.writeString(p.resolve("main.go"), "package main\n\nimport (\n\t\"fmt\"\n\n\tcamel \"example.com/CamelCase\"\n"
                + "\t\"example.com/dep\"\n)\n\nfunc main() { fmt.Println(dep.Hello(), camel.V) }\n");
        return p;
    }

    private String go(Path dir, String cache, String goproxyList, String... args) throws Exception {
        return Commands.run(dir, goCommand(dir, cache, goproxyList, args), 300);
    }

    @Test
    void goOverHttps_trustingTheTestCaThroughSslCertFile() throws Exception {
        TestCa ca = TestCa.create(work.resolve("tls-ca"), "go test CA");
        TestCa.Issued server = ca.server("localhost", "DNS:localhost");
        try (TestProxy tls = TestProxy.start(work.resolve("backend-tls"), TestCa.tlsYaml(server, null), GO_INSTANCE,
                upstream.url(""))) {
            Path project = Files.createDirectories(work.resolve("project-https"));
            List<String> cmd = new ArrayList<>(goCommand(project, "https", "https://localhost:" + tls.port() + "/go",
                    "mod", "download", "-json", "example.com/hello@v1.0.0"));
            cmd.add(3, "SSL_CERT_FILE=" + ca.certificate());
            String out = Commands.run(project, cmd, 300);
            assertTrue(out.contains("\"Version\": \"v1.0.0\""), out);
        }
    }

    /** The go command with only the test's settings: its own module cache, the proxy, the test database. */
    private List<String> goCommand(Path dir, String cache, String goproxyList, String... args) {
        Path home = work.resolve("home-" + cache);
        List<String> cmd = new ArrayList<>(List.of("env", "-i", "PATH=/usr/bin:/bin", "HOME=" + home,
                "GOPATH=" + home.resolve("gopath"), "GOMODCACHE=" + work.resolve("modcache-" + cache),
                "GOCACHE=" + home.resolve("gocache"), "GOFLAGS=-mod=mod -modcacherw", "GOPROXY=" + goproxyList,
                "GOSUMDB=" + gosumdb, "GOPRIVATE=", "GONOSUMDB=", "GONOPROXY=", "GOTOOLCHAIN=local", "go"));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

}

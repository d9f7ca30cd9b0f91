package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The oci mode proven by the real clients — skopeo, buildah and docker (a private dockerd, by name and
 * as {@code --registry-mirror}) — against Debian's docker-registry holding an OCI image, a Docker
 * schema 2 image and a multi-arch OCI index pushed by skopeo ({@code oci/make-registry.sh}).
 *
 * <p>Three instances on listeners of their own: {@code tokens} in front of an nginx that demands a
 * bearer token from its token endpoint (which itself wants basic credentials) and redirects blobs to
 * another host that refuses any {@code Authorization}; {@code basic} in front of an nginx with basic
 * auth; {@code plain} straight at the registry. Then the registry is stopped and the same pulls succeed
 * from the cache. The tests run in order: the later ones rely on what the earlier ones cached.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OciIT {
    private static final String TOKEN = "test-token-42";
    /** base64("user:secret") */
    private static final String BASIC = "Basic dXNlcjpzZWNyZXQ=";
    private static final String UNAUTHORIZED = """
              if ($http_authorization != "Bearer %1$s") {
                add_header WWW-Authenticate 'Bearer realm="http://127.0.0.1:$server_port/token",service="test-registry"' always;
                return 401 '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}';
              }
            """.formatted(TOKEN);

    private Path work;
    private RegistryUpstream registry;
    private NginxUpstream bearerFront;
    private NginxUpstream basicFront;
    private TestProxy proxy;
    private PrivateDockerd dockerd;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("oci-it");
        registry = RegistryUpstream.build(work.resolve("registry"));
        registry.start();
        String reg = registry.url();
        bearerFront = new NginxUpstream(work.resolve("bearer"), work, """
                    location = /token {
                      if ($http_authorization != "%1$s") { return 401; }
                      if ($arg_scope = "") { return 400; }
                      default_type application/json;
                      return 200 '{"token":"%2$s","expires_in":300}';
                    }
                    location /cdn/ {
                      if ($http_authorization) { return 403; }
                      rewrite ^/cdn(/.*)$ $1 break;
                      proxy_pass %3$s;
                    }
                    location ~ ^/v2/.+/blobs/sha256: {
                %4$s
                      return 307 http://127.0.0.2:$server_port/cdn$request_uri;
                    }
                    location /v2/ {
                %4$s
                      proxy_pass %3$s;
                    }
                """.formatted(BASIC, TOKEN, reg, UNAUTHORIZED), "");
        bearerFront.start();
        Files.writeString(work.resolve("htpasswd"), "user:{PLAIN}secret\n");
        basicFront = new NginxUpstream(work.resolve("basic"), work, """
                    location /v2/ {
                      auth_basic "registry";
                      auth_basic_user_file %s;
                      proxy_pass %s;
                    }
                """.formatted(work.resolve("htpasswd"), reg));
        basicFront.start();
        proxy = TestProxy.start(work.resolve("backend"), "", """
                  - name: tokens
                    enabled: true
                    oci:
                      bind: 127.0.0.1:0
                      upstream: %s
                      auth: { type: basic, username: user, password: secret }
                  - name: basic
                    enabled: true
                    oci:
                      bind: 127.0.0.1:0
                      upstream: %s
                      auth: { type: basic, username: user, password: secret }
                  - name: plain
                    enabled: true
                    oci:
                      bind: 127.0.0.1:0
                      upstream: ${UPSTREAM}
                """.formatted(bearerFront.url(""), basicFront.url("")), reg);
        dockerd = PrivateDockerd.start(work.resolve("docker"), "http://" + host("plain"));
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {dockerd, proxy, bearerFront, basicFront, registry}) {
            if (c != null) {
                c.close();
            }
        }
        try (Stream<Path> s = Files.walk(work)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    @Order(1)
    void skopeoThroughAnUpstreamThatDemandsABearerToken() throws Exception {
        String inspect = skopeo("inspect", "--tls-verify=false", "docker://" + host("tokens") + "/test/hello:1.0");
        assertTrue(inspect.contains("\"Digest\": \"sha256:"), inspect);
        assertTrue(skopeo("list-tags", "--tls-verify=false", "docker://" + host("tokens") + "/test/hello")
                .contains("\"1.1\""));
        copy("tokens", "test/hello:1.1", "oci:" + work.resolve("out1") + ":hello", false);
        copy("tokens", "test/multi:1.0", "oci:" + work.resolve("out1") + ":multi", true);
        assertEquals("arm64", skopeo("inspect", "--tls-verify=false", "--override-arch", "arm64", "--format",
                "{{.Architecture}}", "docker://" + host("tokens") + "/test/multi:1.0").strip());

        List<String> log = bearerFront.accessLog();
        Map<String, Long> tokensPerScope = log.stream().filter(l -> l.startsWith("GET /token?"))
                .collect(Collectors.groupingBy(l -> l.replaceAll(".*scope=([^& ]*).*", "$1"), Collectors.counting()));
        // one token per repository for the whole session: cached, and fetched once by concurrent requests
        assertEquals(Map.of("repository%3Atest%2Fhello%3Apull", 1L, "repository%3Atest%2Fmulti%3Apull", 1L),
                tokensPerScope, String.join("\n", log));
        assertTrue(log.stream().anyMatch(l -> l.matches("GET /v2/test/hello/blobs/sha256:\\S+ 307 .*")), "blobs redirected");
        List<String> cdn = log.stream().filter(l -> l.startsWith("GET /cdn/")).toList();
        assertFalse(cdn.isEmpty());
        assertTrue(cdn.stream().allMatch(l -> l.split(" ")[2].equals("200")),
                "the registry's credentials never follow a redirect to another host:\n" + String.join("\n", cdn));
    }

    @Test
    @Order(2)
    void buildahThroughAnUpstreamWithBasicAuth() throws Exception {
        buildahPull("basic", "test/hello:1.1", work.resolve("buildah1"));
        buildahPull("basic", "test/multi:1.0", work.resolve("buildah1"));
        long challenges = basicFront.accessLog().stream().filter(l -> l.split(" ")[2].equals("401")).count();
        assertEquals(1, challenges, "basic credentials are sent up front after the first challenge");
    }

    @Test
    @Order(3)
    void dockerPullsByNameAndThroughTheRegistryMirror() throws Exception {
        Commands.run(null, dockerd.docker("pull", host("plain") + "/test/hello:1.0"), 120);
        // hello:latest names Docker Hub, which this machine cannot reach: only the mirror can answer
        Commands.run(null, dockerd.docker("pull", "hello:latest"), 120);
        String images = Commands.run(null, dockerd.docker("images", "--format", "{{.Repository}}:{{.Tag}}"), 30);
        assertTrue(images.contains("hello:latest") && images.contains("/test/hello:1.0"), images);
    }

    @Test
    @Order(4)
    void registryStyleAnswers() throws Exception {
        HttpResponse<String> ping = get("plain", "/v2/", Map.of());
        assertEquals(200, ping.statusCode());
        assertEquals("registry/2.0", ping.headers().firstValue("Docker-Distribution-API-Version").orElse(""));
        assertError(get("plain", "/v2/_catalog", Map.of()), 405, "UNSUPPORTED");
        assertError(send("plain", "POST", "/v2/test/hello/blobs/uploads/"), 405, "UNSUPPORTED");
        assertError(get("plain", "/v2/test/hello/manifests/no-such-tag", Map.of()), 404, "MANIFEST_UNKNOWN");
        assertError(get("plain", "/v2/test/nothing/tags/list", Map.of()), 404, "NAME_UNKNOWN");
        assertError(get("plain", "/v2/test/hello/blobs/sha256:" + "0".repeat(64), Map.of()), 404, "BLOB_UNKNOWN");
        assertError(get("plain", "/v2/Test/hello/manifests/1.0", Map.of()), 400, "NAME_INVALID");
        assertError(get("plain", "/v2/test/hello/blobs/md5:" + "0".repeat(32), Map.of()), 400, "DIGEST_INVALID");

        // negotiation: the index only to a client that accepts one; each variant stored as served
        String index = "application/vnd.oci.image.index.v1+json";
        HttpResponse<String> asIndex = get("plain", "/v2/test/multi/manifests/1.0", Map.of("Accept", index));
        assertEquals(200, asIndex.statusCode());
        assertEquals(index, asIndex.headers().firstValue("Content-Type").orElse(""));
        String digest = asIndex.headers().firstValue("Docker-Content-Digest").orElseThrow();
        assertEquals("sha256:" + sha256(asIndex.body().getBytes(StandardCharsets.UTF_8)), digest);
        HttpResponse<String> noIndex = get("plain", "/v2/test/multi/manifests/1.0",
                Map.of("Accept", "application/vnd.oci.image.manifest.v1+json"));
        assertNotEquals(200, noIndex.statusCode(), "a client that accepts no index is not handed one");
        HttpResponse<String> again = get("plain", "/v2/test/multi/manifests/1.0", Map.of("Accept", index));
        assertEquals("REVALIDATED", again.headers().firstValue("X-Cache").orElse(""), "a tag is checked with HEAD");
        HttpResponse<String> byDigest = get("plain", "/v2/test/multi/manifests/" + digest, Map.of());
        assertEquals(asIndex.body(), byDigest.body());
        assertEquals(digest, byDigest.headers().firstValue("Docker-Content-Digest").orElse(""));

        // HEAD carries the digest and the length; a stored blob answers Range
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create("http://" + host("plain")
                + "/v2/test/multi/manifests/1.0")).header("Accept", index).method("HEAD",
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(digest, head.headers().firstValue("Docker-Content-Digest").orElse(""));
        assertEquals(Integer.toString(asIndex.body().length()), head.headers().firstValue("Content-Length").orElse(""));
        String layer = firstLayer("plain", "test/hello", "1.1");
        HttpResponse<String> whole = get("plain", "/v2/test/hello/blobs/" + layer, Map.of());
        assertEquals(200, whole.statusCode());
        HttpResponse<String> part = get("plain", "/v2/test/hello/blobs/" + layer, Map.of("Range", "bytes=0-9"));
        assertEquals(206, part.statusCode());
        assertEquals("10", part.headers().firstValue("Content-Length").orElse(""));
    }

    @Test
    @Order(5)
    void thePullsSucceedFromTheCacheWithTheUpstreamStopped() throws Exception {
        registry.stop();
        copy("tokens", "test/hello:1.1", "oci:" + work.resolve("out2") + ":hello", false);
        copy("tokens", "test/multi:1.0", "oci:" + work.resolve("out2") + ":multi", true);
        buildahPull("basic", "test/hello:1.1", work.resolve("buildah2"));
        Commands.run(null, dockerd.docker("rmi", host("plain") + "/test/hello:1.0", "hello:latest"), 60);
        Commands.run(null, dockerd.docker("pull", host("plain") + "/test/hello:1.0"), 120);
        Commands.run(null, dockerd.docker("pull", "hello:latest"), 120);
        // never seen: an outage, not "manifest unknown"
        assertError(get("plain", "/v2/test/hello/manifests/never-fetched", Map.of()), 502, "UNAVAILABLE");
        registry.start();
    }

    @Test
    @Order(6)
    void aBlobWhoseBytesDoNotMatchItsDigestIsRefusedAndNotCached() throws Exception {
        byte[] good = new byte[1 << 20];
        new Random(7).nextBytes(good);
        String hex = sha256(good);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 1;
        registry.linkBlob("test/hello", hex, bad);
        for (int attempt = 0; attempt < 2; attempt++) {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://" + host("plain") + "/v2/test/hello/blobs/sha256:" + hex)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() == 502) {
                // the whole body arrived and failed its digest before the response began: refused outright
                assertEquals("ERROR", r.headers().firstValue("X-Cache").orElse(""));
                r.body().close();
                continue;
            }
            assertEquals("MISS", r.headers().firstValue("X-Cache").orElse(""), "never stored, so never a hit");
            assertThrows(IOException.class, () -> {
                try (InputStream in = r.body()) {
                    in.readAllBytes(); // the last byte is withheld and the connection closed
                }
            });
        }
    }

    @Test
    @Order(7)
    void skopeoCopiesThroughAProxyWhoseStorageIsFull_manifestsAndBlobsPassVerified_andNothingIsStored() throws Exception {
        Path backend = work.resolve("full-backend");
        try (TestProxy full = TestProxy.start(backend, TestProxy.STORAGE_FULL, """
                  - name: full
                    enabled: true
                    oci:
                      bind: 127.0.0.1:0
                      upstream: ${UPSTREAM}
                """, registry.url())) {
            String fullHost = "127.0.0.1:" + full.app().dedicatedAddress("full").getPort();
            skopeo("copy", "--quiet", "--src-tls-verify=false", "--all", "docker://" + fullHost + "/test/multi:1.0",
                    "oci:" + work.resolve("out-full") + ":multi");
            skopeo("copy", "--quiet", "--src-tls-verify=false", "docker://" + fullHost + "/test/hello:1.1",
                    "oci:" + work.resolve("out-full") + ":hello");
            HttpResponse<String> manifest = http.send(HttpRequest.newBuilder(
                    URI.create("http://" + fullHost + "/v2/test/hello/manifests/1.1")).header("Accept",
                    "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, manifest.statusCode(), manifest.body());
            assertEquals("BYPASS", manifest.headers().firstValue("X-Cache").orElse(""));
            assertEquals("sha256:" + sha256(manifest.body().getBytes(StandardCharsets.UTF_8)),
                    manifest.headers().firstValue("Docker-Content-Digest").orElse(""));
            assertEquals(List.of(), TestProxy.storedBlobs(backend), "nothing stored");
        }
    }

    @Test
    void skopeoAndDockerOverHttpsWithAClientCertificate_fromACertDir_andCredentialsForAProtectedInstance() throws Exception {
        // docker treats registries on loopback as insecure (no certificate check): it is given this machine's own
        // address, which it verifies against the CA of its certs.d, as it would a registry elsewhere
        String address = ownAddress();
        TestCa ca = TestCa.create(work.resolve("tls-ca"), "oci test CA");
        TestCa.Issued server = ca.server("localhost", "DNS:localhost,IP:" + address);
        TestCa.Issued client = ca.client("skopeo-on-ci");
        try (TestProxy tls = TestProxy.start(work.resolve("backend-tls"), TestCa.tlsYaml(server, ca.certificate()), """
                  - name: secure
                    enabled: true
                    access:
                      anonymous: none
                      principals: [ { name: ci, token: "oci-s3cret" } ]
                    oci:
                      bind: 0.0.0.0:0
                      upstream: ${UPSTREAM}
                """, registry.url())) {
            int port = tls.app().dedicatedAddress("secure").getPort();
            // skopeo's cert dir: ca.crt to trust, client.cert + client.key to present (containers-certs.d(5))
            Path certs = Files.createDirectories(work.resolve("certs.d-secure"));
            Files.copy(ca.certificate(), certs.resolve("ca.crt"));
            Files.copy(client.certificate(), certs.resolve("client.cert"));
            Files.copy(client.key(), certs.resolve("client.key"));
            String image = "docker://localhost:" + port + "/test/hello:1.0";
            Commands.Result anonymous = Commands.exec(work, List.of("skopeo", "--insecure-policy", "inspect", "--cert-dir",
                    certs.toString(), image), 120);
            assertTrue(anonymous.exit() != 0 && anonymous.output().contains("unauthorized"),
                    "the instance wants a token: " + anonymous.output());
            String inspect = skopeo("inspect", "--cert-dir", certs.toString(), "--creds", "ci:oci-s3cret", image);
            assertTrue(inspect.contains("\"Digest\": \"sha256:"), inspect);
            Path without = Files.createDirectories(work.resolve("certs.d-no-client"));
            Files.copy(ca.certificate(), without.resolve("ca.crt"));
            Commands.Result refused = Commands.exec(work, List.of("skopeo", "--insecure-policy", "inspect", "--cert-dir",
                    without.toString(), image), 120);
            assertTrue(refused.exit() != 0, "without its client certificate skopeo gets no handshake: " + refused.output());

            dockerOverHttps(address + ":" + port, certs);
        }
    }

    /**
     * The daemon reads {@code /etc/docker/certs.d/<host:port>/} (ca.crt, client.cert, client.key) at each pull;
     * the CLI logs in with its own config directory, so no credential outlives the test.
     */
    private void dockerOverHttps(String registryHost, Path certs) throws Exception {
        Path daemonCerts = Path.of("/etc/docker/certs.d", registryHost);
        Path config = Files.createDirectories(work.resolve("docker-cli-config"));
        String image = registryHost + "/test/hello:1.0";
        try {
            Files.createDirectories(daemonCerts);
            Files.copy(certs.resolve("ca.crt"), daemonCerts.resolve("ca.crt"));
            Commands.Result anonymous = Commands.exec(null, cli(config, "pull", image), 120);
            assertTrue(anonymous.exit() != 0, "no client certificate and no login: refused: " + anonymous.output());
            Files.copy(certs.resolve("client.cert"), daemonCerts.resolve("client.cert"));
            Files.copy(certs.resolve("client.key"), daemonCerts.resolve("client.key"));
            Commands.Result noLogin = Commands.exec(null, cli(config, "pull", image), 120);
            assertTrue(noLogin.exit() != 0 && noLogin.output().toLowerCase(java.util.Locale.ROOT).contains("auth"),
                    "a handshake, but no credentials: " + noLogin.output());
            Commands.run(null, cli(config, "login", "--username", "ci", "--password", "oci-s3cret", registryHost), 120);
            Commands.run(null, cli(config, "pull", image), 180);
            String images = Commands.run(null, cli(config, "images", "--format", "{{.Repository}}:{{.Tag}}"), 30);
            assertTrue(images.contains(image), images);
            Commands.run(null, cli(config, "rmi", image), 60);
        } finally {
            try (Stream<Path> s = Files.walk(daemonCerts)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private List<String> cli(Path config, String... args) {
        List<String> cmd = new ArrayList<>(dockerd.docker());
        cmd.addAll(1, List.of("--config", config.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** This machine's first IPv4 address off loopback (the test machines have one; docker needs it here). */
    private static String ownAddress() throws IOException {
        return java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .filter(i -> { try { return i.isUp() && !i.isLoopback(); } catch (IOException e) { return false; } })
                .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof java.net.Inet4Address).map(java.net.InetAddress::getHostAddress).findFirst()
                .orElseThrow(() -> new AssertionError("no IPv4 address off loopback for docker to verify a certificate on"));
    }

    // ---- helpers --------------------------------------------------------------------------------

    private String host(String instance) {
        return "127.0.0.1:" + proxy.app().dedicatedAddress(instance).getPort();
    }

    private String skopeo(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "--insecure-policy"));
        cmd.addAll(List.of(args));
        return Commands.run(work, cmd, 120);
    }

    private void copy(String instance, String image, String dest, boolean all) throws Exception {
        List<String> args = new ArrayList<>(List.of("copy", "--quiet", "--src-tls-verify=false"));
        if (all) {
            args.add("--all");
        }
        args.addAll(List.of("docker://" + host(instance) + "/" + image, dest));
        skopeo(args.toArray(String[]::new));
    }

    private void buildahPull(String instance, String image, Path root) throws Exception {
        Commands.run(work, List.of("buildah", "--root", root + "/r", "--runroot", root + "/rr", "--storage-driver",
                "vfs", "pull", "--tls-verify=false", host(instance) + "/" + image), 120);
    }

    private String firstLayer(String instance, String repository, String tag) throws Exception {
        String manifest = get(instance, "/v2/" + repository + "/manifests/" + tag,
                Map.of("Accept", "application/vnd.docker.distribution.manifest.v2+json")).body();
        int layers = manifest.indexOf("\"layers\"");
        int d = manifest.indexOf("sha256:", layers);
        return manifest.substring(d, d + 71);
    }

    private HttpResponse<String> get(String instance, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host(instance) + path))
                .timeout(Duration.ofSeconds(60));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String instance, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + host(instance) + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), r.body());
        assertTrue(r.body().contains("\"code\":\"" + code + "\""), r.body());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}

package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.s3.S3ProxyServer;
import dev.cacheproxy.s3.S3Settings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several nodes, one cache: two cache-proxy processes on one bucket (S3Proxy), behind nginx
 * round-robin. The real npm CLI installs through the balancer, then again with the upstream stopped and
 * an empty npm cache: every packument and tarball comes from what either node fetched. A node killed in
 * the middle of a fill leaves nothing behind; the other node serves the file whole.
 */
class SharedBucketIT {
    private static final int MIB = 1 << 20;

    @TempDir
    Path work;

    private NginxUpstream upstream;
    private Process balancer;
    private final List<ForkedProxy> nodes = new ArrayList<>();
    private int balancerPort;
    private byte[] big;

    @BeforeEach
    void start() throws Exception {
        Path root = work.resolve("root");
        Files.createDirectories(root.resolve("slow"));
        big = new byte[6 * MIB];
        new Random(7).nextBytes(big);
        Files.write(root.resolve("slow/big.bin"), big);
        upstream = new NginxUpstream(work.resolve("up"), root, "    location /slow/ { limit_rate 1m; }\n");
        Commands.run(work, List.of("bash", Path.of(SharedBucketIT.class.getResource("/npm/make-registry.sh").toURI())
                .toString(), root.resolve("npm").toString(), upstream.url("/npm")), 120);
        upstream.start();

        S3Settings bucket = S3ProxyServer.shared().newBucket();
        try (ServerSocket s = new ServerSocket(0)) {
            balancerPort = s.getLocalPort();
        }
        for (String name : List.of("a", "b")) {
            nodes.add(ForkedProxy.start(work.resolve("node-" + name), nodeYaml(name, bucket)));
        }
        balancer = startBalancer();
    }

    @AfterEach
    void stop() throws Exception {
        for (ForkedProxy n : nodes) {
            n.close();
        }
        if (balancer != null) {
            Commands.stopServer(balancer);
        }
        upstream.close();
    }

    @Test
    void npmThroughEitherNodeThenWithTheUpstreamStopped_andANodeKilledMidFill() throws Exception {
        Path project = Files.createDirectories(work.resolve("project"));
        Files.writeString(project.resolve("package.json"), "{\"name\":\"p\",\"version\":\"0.0.0\",\"private\":true,"
                + "\"dependencies\":{\"@localtest/hello-dep\":\"1.0.0\",\"hello-util\":\"2.0.0\"}}");
        npm(project, "cache-1", "install");
        // npm is done once it has the bodies; the entries may still be on their way into the bucket. Asking
        // each node for each document waits for its own fill in flight (or fetches it again while the
        // upstream is up), so that everything is in the bucket before the upstream goes
        for (ForkedProxy n : nodes) {
            for (String path : List.of("/npm/hello-util", "/npm/@localtest%2fhello-dep", "/npm/hello-local",
                    "/npm/hello-util/-/hello-util-2.0.0.tgz", "/npm/@localtest/hello-dep/-/hello-dep-1.0.0.tgz",
                    "/npm/hello-local/-/hello-local-1.1.0.tgz")) {
                assertEquals(200, get(n.uri(path)).statusCode(), path);
            }
        }
        Files.delete(project.resolve("package-lock.json"));
        Commands.deleteTree(project.resolve("node_modules"));

        upstream.stop();
        List<Integer> logged = new ArrayList<>();
        for (ForkedProxy n : nodes) {
            logged.add(n.log().length());
        }
        // a new npm cache: every request goes to the balancer, which alternates the nodes, and each node
        // must serve what the other fetched
        npm(project, "cache-2", "install");
        assertTrue(Files.exists(project.resolve("node_modules/hello-local/package.json")));
        for (int i = 0; i < nodes.size(); i++) {
            String since = nodes.get(i).log().substring(logged.get(i));
            assertTrue(since.contains(".tgz 200") && since.contains("cache=HIT"),
                    "node " + i + " served tarballs from the bucket with the upstream stopped:\n" + since);
            assertTrue(!since.contains("cache=MISS") && !since.contains(" 502 "), since);
        }
        for (ForkedProxy n : nodes) {
            assertEquals(200, get(n.uri("/npm/hello-util")).statusCode(), "each node serves the packument");
            assertEquals(200, get(n.uri("/npm/hello-local/-/hello-local-1.1.0.tgz")).statusCode());
        }

        upstream.start();
        ForkedProxy a = nodes.get(0);
        Thread fill = Thread.ofVirtual().start(() -> {
            try {
                get(a.uri("/files/slow/big.bin"));
            } catch (IOException | InterruptedException e) {
                // expected: the node dies under this request
            }
        });
        Thread.sleep(1500); // about a quarter of the 6 MiB at 1 MiB/s
        a.kill9();
        fill.join();
        HttpResponse<byte[]> whole = get(URI.create("http://127.0.0.1:" + balancerPort + "/files/slow/big.bin"));
        assertEquals(200, whole.statusCode());
        assertArrayEquals(big, whole.body(), "the surviving node fetched and served the whole file");
        HttpResponse<byte[]> again = get(nodes.get(1).uri("/files/slow/big.bin"));
        assertEquals("HIT", again.headers().firstValue("X-Cache").orElse(""));
        assertArrayEquals(big, again.body());
    }

    private String nodeYaml(String name, S3Settings bucket) {
        return """
                server:
                  bind: 127.0.0.1:0
                  backend: %s
                  public_url: http://127.0.0.1:%d
                storage:
                  backend: s3
                  s3:
                    bucket: %s
                    prefix: shared/
                    endpoint: %s
                    access_key: %s
                    secret_key: %s
                    local_max_size: 64MiB
                instances:
                  - name: npm
                    enabled: true
                    npm:
                      route: { path: /npm }
                      upstream: %s
                  - name: files
                    enabled: true
                    file:
                      route: { path: /files }
                      upstreams: ["%s"]
                      default_policy: immutable
                """.formatted(work.resolve("node-" + name).resolve("storage"), balancerPort, bucket.bucket(),
                bucket.endpoint().orElseThrow(), S3ProxyServer.IDENTITY, S3ProxyServer.CREDENTIAL,
                upstream.url("/npm"), upstream.url(""));
    }

    private Process startBalancer() throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("balancer"));
        StringBuilder servers = new StringBuilder();
        for (ForkedProxy n : nodes) {
            servers.append("    server ").append(n.uri("/").getAuthority()).append(" max_fails=1 fail_timeout=30s;\n");
        }
        Files.writeString(dir.resolve("nginx.conf"), """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 256; }
                http {
                  access_log %1$s/access.log;
                  client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi; uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
                  upstream nodes {
                %2$s  }
                  server {
                    listen 127.0.0.1:%3$d;
                    location / {
                      proxy_pass http://nodes;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_set_header Host $http_host;
                      proxy_buffering off;
                      proxy_next_upstream error timeout;
                    }
                  }
                }
                """.formatted(dir, servers, balancerPort));
        return Commands.startServer(List.of("nginx", "-c", dir.resolve("nginx.conf").toString(), "-p", dir.toString(),
                "-g", "daemon off; user root;"), dir.resolve("stdout.log"), balancerPort, 10);
    }

    private void npm(Path project, String cache, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("npm"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--registry", "http://127.0.0.1:" + balancerPort + "/npm/", "--cache",
                work.resolve(cache).toString(), "--userconfig", "/dev/null", "--update-notifier=false", "--fund=false",
                "--audit=false", "--loglevel=warn", "--fetch-retries=0"));
        Commands.Result r = Commands.exec(project, cmd, 180);
        assertEquals(0, r.exit(), String.join(" ", cmd) + "\n" + r.output());
    }

    private static HttpResponse<byte[]> get(URI uri) throws IOException, InterruptedException {
        try (HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            return c.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        }
    }

}

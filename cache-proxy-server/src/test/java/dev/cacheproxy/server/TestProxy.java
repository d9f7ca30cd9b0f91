package dev.cacheproxy.server;

import dev.cacheproxy.server.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A real cache-proxy on an ephemeral port, configured from YAML, for integration tests. */
public final class TestProxy implements AutoCloseable {
    private final Application app;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestProxy(Application app) {
        this.app = app;
    }

    /**
     * Top-level YAML for a proxy whose storage is full: {@code min_free} far above any disk's free space, so every
     * miss is passed through (or refused) as on a full disk, and nothing is stored.
     */
    public static final String STORAGE_FULL = "storage: { min_free: 100000TiB }";

    /** The blob files a proxy started on {@code backend} has stored. */
    public static List<Path> storedBlobs(Path backend) throws IOException {
        Path blobs = backend.resolve("blobs");
        if (!Files.isDirectory(blobs)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(blobs)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    /**
     * Starts a proxy; {@code instancesYaml} is the list under {@code instances:} and may use
     * {@code ${UPSTREAM}} for {@code upstream}.
     */
    public static TestProxy start(Path backend, String topLevelYaml, String instancesYaml, String upstream) throws Exception {
        String yaml = """
                server:
                  bind: 127.0.0.1:0
                  backend: %s
                %s
                instances:
                %s""".formatted(backend, topLevelYaml, instancesYaml);
        var cfg = new ConfigLoader(Map.of("UPSTREAM", upstream)).load(yaml);
        return new TestProxy(Application.start(cfg));
    }

    /** One file instance at {@code /files} in front of {@code ${UPSTREAM}}, every path immutable. */
    public static final String FILE_INSTANCE = """
              - name: files
                enabled: true
                file:
                  route: { path: /files }
                  upstreams: ["${UPSTREAM}"]
                  default_policy: immutable
            """;

    /** Wraps an application a test started itself (from a config file of its own). */
    public static TestProxy of(Application app) {
        return new TestProxy(app);
    }

    public static TestProxy startFile(Path backend, String upstream, String fileBlockExtra) throws Exception {
        return start(backend, "", """
                  - name: files
                    enabled: true
                    file:
                      route: { path: /files }
                      upstreams: ["${UPSTREAM}"]
                %s""".formatted(fileBlockExtra), upstream);
    }

    /** The value of one Prometheus sample in {@code exposition}, given its name with labels exactly as exposed. */
    public static double metric(String exposition, String series) {
        return exposition.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError(series + " missing"));
    }

    public int port() {
        return app.mainAddress().getPort();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public HttpResponse<byte[]> send(String method, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends raw bytes on a fresh connection and returns everything the server wrote until it closed. */
    public String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    public Application app() {
        return app;
    }

    @Override
    public void close() {
        app.close();
    }
}

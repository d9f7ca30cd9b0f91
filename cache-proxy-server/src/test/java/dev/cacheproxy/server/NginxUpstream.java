package dev.cacheproxy.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real nginx serving a directory as a registry would (ETag, Last-Modified, Range, 304; a directory
 * answered with its {@code index.json}), on a free port, in the foreground under the test's control.
 * Its access log records method, path, status and the Accept header, so tests can prove what reached
 * the upstream. nginx is a test dependency installed by {@code .ci/run}; a missing nginx fails.
 */
final class NginxUpstream implements AutoCloseable {
    private final Path dir;
    private final Path root;
    private final String extraLocations;
    private final int port;
    private final String listenHost;
    private Process process;

    /** @param extraLocations nginx {@code location} blocks placed before the static one */
    NginxUpstream(Path dir, Path root, String extraLocations) throws IOException {
        this(dir, root, extraLocations, "127.0.0.1:");
    }

    /**
     * @param listenPrefix {@code "127.0.0.1:"}, or {@code ""} to listen on every address (so that
     *     {@code 127.0.0.2} reaches the same server as another host, for redirect tests)
     */
    NginxUpstream(Path dir, Path root, String extraLocations, String listenPrefix) throws IOException {
        this.dir = dir;
        this.root = root;
        this.extraLocations = extraLocations;
        this.listenHost = listenPrefix;
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    void start() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String conf = """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 256; }
                http {
                  include /etc/nginx/mime.types;
                  default_type application/octet-stream;
                  log_format up '$request_method $request_uri $status $body_bytes_sent "$http_accept" $content_length';
                  access_log %1$s/access.log up;
                  client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi; uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
                  server {
                    listen %5$s%2$d;
                    root %3$s;
                %4$s
                    location / { try_files $uri $uri/index.json $uri/ =404; }
                  }
                }
                """.formatted(dir, port, root, extraLocations, listenHost);
        Files.writeString(dir.resolve("nginx.conf"), conf);
        process = Commands.startServer(List.of("nginx", "-c", dir.resolve("nginx.conf").toString(), "-p",
                dir.toString(), "-g", "daemon off; user root;"), dir.resolve("stdout.log"), port, 10);
    }

    /** Stops nginx (the upstream goes away: connections are refused). */
    void stop() throws InterruptedException {
        Commands.stopServer(process);
        process = null;
    }

    /**
     * The access log so far: one line per request, {@code METHOD /raw-uri status bytes "accept" content-length}
     * (the raw URI as the client sent it; the request's Content-Length, "-" when it had none).
     */
    List<String> accessLog() throws IOException {
        Path log = dir.resolve("access.log");
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}

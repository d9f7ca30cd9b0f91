package dev.cacheproxy.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Debian's {@code docker-registry} (distribution 2.8) holding the test images, built once by
 * {@code oci/make-registry.sh} with skopeo from a hand-made OCI layout; started and stopped by the
 * test. A test dependency installed by {@code .ci/run}: a missing registry or skopeo fails.
 */
final class RegistryUpstream implements AutoCloseable {
    private final Path data;
    private final int port;
    private Process process;

    private RegistryUpstream(Path data, int port) {
        this.data = data;
        this.port = port;
    }

    /** Builds the registry's data in {@code data} (skopeo pushes into a registry started for it). */
    static RegistryUpstream build(Path data) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path script = Path.of(RegistryUpstream.class.getResource("/oci/make-registry.sh").getPath());
        Commands.run(null, List.of("bash", script.toString(), data.toString(), Integer.toString(port)), 180);
        return new RegistryUpstream(data, port);
    }

    int port() {
        return port;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The file holding a blob's bytes in the registry's filesystem storage. */
    Path blobData(String hex) {
        return data.resolve("storage/docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
    }

    /** Links a blob into a repository, as a push would (the registry serves only linked blobs). */
    void linkBlob(String repository, String hex, byte[] bytes) throws IOException {
        Path file = blobData(hex);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        Path link = data.resolve("storage/docker/registry/v2/repositories/" + repository + "/_layers/sha256/" + hex
                + "/link");
        Files.createDirectories(link.getParent());
        Files.writeString(link, "sha256:" + hex);
    }

    void start() throws IOException, InterruptedException {
        process = Commands.startServer(List.of("docker-registry", "serve", data.resolve("registry.yml").toString()),
                data.resolve("registry.log"), port, 15);
    }

    void stop() throws InterruptedException {
        Commands.stopServer(process);
        process = null;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}

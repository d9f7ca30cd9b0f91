package dev.cacheproxy.s3;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * S3Proxy (an S3 server over a directory, from Maven Central; copied to {@code target/s3proxy/} by the
 * build) in a process of its own, one per test JVM, stopped when the JVM exits. Each test gets a bucket
 * of its own.
 */
public final class S3ProxyServer {
    public static final String IDENTITY = "local-identity";
    public static final String CREDENTIAL = "local-credential";
    private static S3ProxyServer shared;

    private final Process process;
    private final URI endpoint;

    private S3ProxyServer(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /** The server of this JVM, started on first use. */
    public static synchronized S3ProxyServer shared() throws IOException, InterruptedException {
        if (shared == null) {
            shared = start(Path.of(System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar")));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> shared.process.destroyForcibly()));
        }
        return shared;
    }

    public static S3ProxyServer start(Path jar) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy jar not found at " + jar.toAbsolutePath()
                    + " (the build copies it there in generate-test-resources)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("s3proxy-");
        Files.createDirectories(dir.resolve("data"));
        Path conf = dir.resolve("s3proxy.conf");
        Files.writeString(conf, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + IDENTITY,
                "s3proxy.credential=" + CREDENTIAL,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dir.resolve("data"), ""));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(List.of(java, "-jar", jar.toAbsolutePath().toString(), "--properties",
                conf.toString())).redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new S3ProxyServer(p, URI.create("http://127.0.0.1:" + port));
            } catch (IOException e) {
                if (!p.isAlive()) {
                    throw new IOException("S3Proxy exited: " + Files.readString(dir.resolve("s3proxy.log")));
                }
                Thread.sleep(100);
            }
        }
        p.destroyForcibly();
        throw new IOException("S3Proxy did not listen within 60 s: " + Files.readString(dir.resolve("s3proxy.log")));
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Settings for a new, empty bucket of this server. */
    public S3Settings newBucket() throws IOException {
        S3Settings s = settings("test-" + UUID.randomUUID().toString().substring(0, 8), "");
        try (S3Objects o = S3Objects.connect(s)) {
            o.createBucket();
        }
        return s;
    }

    public S3Settings settings(String bucket, String prefix) {
        return new S3Settings(bucket, prefix, S3Settings.DEFAULT_REGION, Optional.of(endpoint), true,
                Optional.of(IDENTITY), Optional.of(CREDENTIAL), S3Settings.DEFAULT_LOCAL_MAX_SIZE);
    }
}

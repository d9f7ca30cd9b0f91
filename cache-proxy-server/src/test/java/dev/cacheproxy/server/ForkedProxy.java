package dev.cacheproxy.server;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * cache-proxy in a separate JVM, started through {@link Main} exactly as the launcher does, for the
 * tests that need what an in-process proxy cannot give: a small heap of its own, or a kill -9.
 */
final class ForkedProxy implements AutoCloseable {
    private static final Pattern STARTED = Pattern.compile("cache-proxy started: http://([^/ ]+)/");

    private final Process process;
    private final Path log;
    private final URI base;

    private Path config;

    private ForkedProxy(Process process, Path log, URI base) {
        this.process = process;
        this.log = log;
        this.base = base;
    }

    /** Starts a proxy on port 0 with {@code yaml} as its configuration and waits until it listens. */
    static ForkedProxy start(Path workDir, String yaml, String... jvmOptions) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Path config = Files.writeString(Files.createTempFile(workDir, "config", ".yaml"), yaml);
        Path log = Files.createTempFile(workDir, "proxy", ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", testClassPath(), Main.class.getName(), "-config", config.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = STARTED.matcher(Files.readString(log));
            if (m.find()) {
                ForkedProxy forked = new ForkedProxy(p, log, URI.create("http://" + m.group(1)));
                forked.config = config;
                return forked;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("forked proxy exited " + p.exitValue() + ":\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new IllegalStateException("forked proxy did not start:\n" + Files.readString(log));
    }

    /** Surefire puts the real class path here (java.class.path is its booter jar). */
    private static String testClassPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    URI uri(String path) {
        return base.resolve(path);
    }

    /** The configuration file it was started with (a test may rewrite it and send {@link #hangUp}). */
    Path configFile() {
        return config;
    }

    /** SIGHUP: the proxy reads its configuration file again. */
    void hangUp() throws IOException, InterruptedException {
        Commands.run(null, List.of("kill", "-HUP", String.valueOf(process.pid())), 10);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL: no shutdown hook, no graceful stop, exactly like a crash or the OOM killer. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
            kill9();
        }
    }
}

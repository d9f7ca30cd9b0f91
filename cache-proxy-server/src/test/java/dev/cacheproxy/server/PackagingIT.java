package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped forms of cache-proxy (issue 15), built from the packaged jar by the scripts an operator
 * runs: the container image (packaging/container/build-image.sh, from the Debian base `make test`
 * prepared, on a private Docker daemon, without the network) serving a hit, reporting healthy, running
 * as its own user and stopping cleanly on SIGTERM; the Debian package (packaging/deb/build-deb.sh)
 * whose unit passes systemd-analyze verify, installed into a throw-away Debian container where its
 * service user and configuration validate. Run by failsafe after `package`, since it needs the jar.
 */
class PackagingIT {
    private static final Path TOP = Path.of("..").toAbsolutePath().normalize();
    private static final Path JAR = Path.of("target", "cache-proxy.jar").toAbsolutePath();

    @TempDir
    static Path dir;

    private static PrivateDockerd docker;

    @BeforeAll
    static void startDocker() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "the packaged jar is missing: " + JAR);
        docker = PrivateDockerd.start(dir.resolve("docker"), null);
    }

    @AfterAll
    static void stopDocker() throws Exception {
        if (docker != null) {
            Commands.exec(null, docker.docker("rm", "-f", "cp-it"), 60);
            docker.close();
        }
    }

    private static String dockerCommand() {
        return String.join(" ", docker.docker());
    }

    @Test
    void containerImage_buildsOffline_servesAHit_isHealthy_andStopsCleanly() throws Exception {
        String base = Commands.run(TOP, List.of("bin/test-base-tar"), 30).trim();
        Commands.run(TOP, List.of("env", "DOCKER=" + dockerCommand(), "BASE_TAR=" + base, "JAR=" + JAR,
                "WORK=" + dir.resolve("image-work"), "packaging/container/build-image.sh", "cache-proxy:it"), 900);

        Path root = Files.createDirectories(dir.resolve("upstream-root"));
        Files.writeString(root.resolve("hello.txt"), "hello through the image\n");
        try (NginxUpstream nginx = new NginxUpstream(dir.resolve("nginx"), root, "")) {
            nginx.start();
            int port = freePort();
            Commands.run(null, docker.docker("run", "-d", "--name", "cp-it", "--network", "host",
                    "--health-interval=1s", "-e", "CACHE_PROXY_BIND=127.0.0.1:" + port, "-e", "FILES_ENABLED=true",
                    "-e", "FILES_UPSTREAM=" + nginx.url(""), "cache-proxy:it"), 60);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI file = URI.create("http://127.0.0.1:" + port + "/files/hello.txt");
            HttpResponse<String> miss = awaitServing(http, file);
            assertEquals("hello through the image\n", miss.body());
            assertEquals("MISS", miss.headers().firstValue("X-Cache").orElse(""));
            HttpResponse<String> hit = http.send(HttpRequest.newBuilder(file).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("HIT", hit.headers().firstValue("X-Cache").orElse(""));

            assertEquals("healthy", awaitHealth());
            assertEquals("cache-proxy", inspect("{{.Config.User}}"));
            assertTrue(Commands.run(null, docker.docker("exec", "cp-it", "id", "-un"), 60).contains("cache-proxy"));
            assertTrue(inspect("{{json .Config.Volumes}}").contains("/var/lib/cache-proxy"));

            Commands.run(null, docker.docker("stop", "--time", "20", "cp-it"), 60);
            assertEquals("0", inspect("{{.State.ExitCode}}"), "SIGTERM is a clean shutdown");
            assertTrue(Commands.run(null, docker.docker("logs", "cp-it"), 60).contains("Application stopped"));

            // The clean stop wrote the class data archive into the volume; the next start maps it.
            Commands.run(null, docker.docker("start", "cp-it"), 60);
            assertEquals("HIT", awaitServing(http, file).headers().firstValue("X-Cache").orElse(""));
            assertTrue(Commands.run(null, docker.docker("exec", "cp-it", "bash", "-c",
                    "grep -q 'cache-proxy-.*[.]jsa' /proc/1/maps && echo archive-mapped"), 60).contains("archive-mapped"),
                    "the second start maps the archive the first stop wrote");
            Commands.run(null, docker.docker("stop", "--time", "20", "cp-it"), 60);
            assertEquals("0", inspect("{{.State.ExitCode}}"));
        }
    }

    @Test
    void debianPackage_unitVerifies_installsAndValidates_inAThrowAwayRoot() throws Exception {
        Path out = Files.createDirectories(dir.resolve("deb"));
        String deb = Commands.run(TOP, List.of("env", "JAR=" + JAR, "packaging/deb/build-deb.sh", out.toString()), 600)
                .lines().reduce((a, b) -> b).orElseThrow().trim();
        String contents = Commands.run(null, List.of("dpkg-deb", "--contents", deb), 60);
        for (String file : List.of("./usr/bin/cache-proxy", "./usr/lib/cache-proxy/cache-proxy.jar",
                "./usr/lib/cache-proxy/jre/bin/java", "./etc/cache-proxy/config.yaml",
                "./lib/systemd/system/cache-proxy.service")) {
            assertTrue(contents.contains(file), file + " in\n" + contents);
        }
        assertEquals("/etc/cache-proxy/config.yaml",
                Commands.run(dir, List.of("bash", "-c", "dpkg-deb -e " + deb + " ctrl && cat ctrl/conffiles"), 60).trim());

        // systemd-analyze verify needs the units the service refers to: the host's, under a throw-away root
        Path root = Files.createDirectories(dir.resolve("unit-root"));
        Commands.run(null, List.of("dpkg-deb", "-x", deb, root.toString()), 120);
        Commands.run(null, List.of("cp", "-an", "/lib/systemd/system/.", root.resolve("lib/systemd/system") + "/"), 60);
        Commands.Result verify = Commands.exec(null, List.of("systemd-analyze", "--root=" + root, "verify",
                "/lib/systemd/system/cache-proxy.service"), 120);
        assertEquals(0, verify.exit(), verify.output());
        assertTrue(verify.output().isBlank(), "systemd-analyze verify has remarks:\n" + verify.output());

        String base = Commands.run(TOP, List.of("bin/test-base-tar"), 30).trim();
        if (Commands.exec(null, docker.docker("image", "inspect", "cache-proxy-base:it"), 60).exit() != 0) {
            Commands.run(null, docker.docker("import", base, "cache-proxy-base:it"), 300);
        }
        String script = String.join(" && ", List.of(
                "dpkg -i /pkg/" + Path.of(deb).getFileName(),
                "id -u cache-proxy",
                "test \"$(stat -c %U:%a /var/lib/cache-proxy)\" = cache-proxy:750",
                "test -s /etc/default/cache-proxy",
                "set -a", ". /etc/default/cache-proxy", "set +a",
                "su -s /bin/sh cache-proxy -c 'cache-proxy -config /etc/cache-proxy/config.yaml -validate'",
                "cache-proxy --version",
                // what the unit's ExecReload runs, against a server running as the service user
                "su -s /bin/sh cache-proxy -c 'CACHE_PROXY_DATA=/var/lib/cache-proxy cache-proxy -config /etc/cache-proxy/config.yaml > /tmp/out 2>&1 & echo $! > /tmp/pid'",
                "for i in $(seq 1 120); do grep -q 'cache-proxy started' /tmp/out && break; sleep 0.5; done",
                "su -s /bin/sh cache-proxy -c \"cache-proxy -reload $(cat /tmp/pid)\"",
                "for i in $(seq 1 60); do grep -q 'reload: access rules' /tmp/out && break; sleep 0.5; done",
                "grep 'reload: access rules' /tmp/out",
                // a clean stop leaves the class data archive the next start maps (the unit sets CACHE_PROXY_DATA)
                "kill -TERM $(cat /tmp/pid)",
                "for i in $(seq 1 60); do kill -0 $(cat /tmp/pid) 2>/dev/null || break; sleep 0.5; done",
                "ls /var/lib/cache-proxy/"));
        String result = Commands.run(null, docker.docker("run", "--rm", "--network", "none", "-v", out + ":/pkg:ro",
                "cache-proxy-base:it", "bash", "-c", script), 300);
        assertTrue(result.contains("/etc/cache-proxy/config.yaml: OK"), result);
        assertTrue(result.matches("(?s).*cache-proxy \\S+ \\(commit \\S+\\).*"), result);
        assertTrue(result.contains("reload: access rules of"), "cache-proxy -reload PID made it re-read its file: " + result);
        assertTrue(result.matches("(?s).*\\bcache-proxy-[0-9.]+\\.jsa\\b.*"), "the class data archive: " + result);
    }

    /**
     * bin/aot-train (make package, make run) on the JDK running the tests: with JDK 25+ it makes a cache the
     * launcher's java accepts; with any JDK it leaves the null device alone (the JVM replaces the file an AOT
     * cache is written to: an early version probed with /dev/null and left a regular file there).
     */
    @Test
    void aotTrain_makesACacheTheJvmAccepts_andLeavesDevNullAlone() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = dir.resolve("cache-proxy.aot");
        Commands.run(TOP, List.of("bin/aot-train", java.toString(), JAR.toString(), out.toString()), 300);
        assertTrue(Files.readAttributes(Path.of("/dev/null"), java.nio.file.attribute.PosixFileAttributes.class).isOther(),
                "/dev/null is still a device");
        if (Runtime.version().feature() >= 25) {
            assertTrue(Files.size(out) > 1_000_000, "a cache was written");
            String used = Commands.run(null, List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                    "-XX:MaxNewSize=64m", "-XX:GCTimeRatio=4", "-XX:AOTCache=" + out, "-Xlog:aot", "-jar", JAR.toString(),
                    "--version"), 60);
            assertTrue(used.contains("Opened AOT cache") && used.contains("cache-proxy "), used);
        }
    }

    private static HttpResponse<String> awaitServing(HttpClient http, URI uri) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                Thread.sleep(250); // not listening yet
            }
        }
        throw new AssertionError("the container never answered; logs:\n"
                + Commands.exec(null, docker.docker("logs", "cp-it"), 60).output());
    }

    private static String awaitHealth() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            state = inspect("{{.State.Health.Status}}");
            if (!state.equals("starting")) {
                return state;
            }
            Thread.sleep(250);
        }
        return state;
    }

    private static String inspect(String format) throws Exception {
        return Commands.run(null, docker.docker("inspect", "--format", format, "cp-it"), 60).trim();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

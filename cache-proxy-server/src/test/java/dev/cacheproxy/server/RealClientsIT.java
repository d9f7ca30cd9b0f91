package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.SimpleFileServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file mode proven by real clients: curl and wget through cache-proxy in front of a local static
 * file server the test fills. A missing client fails the test (it is installed by .ci/run).
 */
class RealClientsIT {
    @TempDir
    Path upstreamRoot;

    @TempDir
    Path backend;

    @TempDir
    Path work;

    private HttpServer upstream;
    private TestProxy proxy;
    private final List<String> names = List.of("small.txt", "1MiB.bin", "32MiB.bin", "empty.bin", "dir/sub/nested.txt",
            "name with spaces.txt", "ünïcødé.txt", "plus+sign.txt");

    @BeforeEach
    void start() throws Exception {
        Random r = new Random(1);
        for (String n : names) {
            Path p = upstreamRoot.resolve(n);
            Files.createDirectories(p.getParent());
            byte[] b = switch (n) {
                case "1MiB.bin" -> new byte[1 << 20];
                case "32MiB.bin" -> new byte[32 << 20];
                case "empty.bin" -> new byte[0];
                default -> (n + "\n").getBytes(StandardCharsets.UTF_8);
            };
            r.nextBytes(b.length > 100 ? b : new byte[0]);
            Files.write(p, b);
        }
        upstream = SimpleFileServer.createFileServer(new InetSocketAddress("127.0.0.1", 0), upstreamRoot,
                SimpleFileServer.OutputLevel.NONE);
        upstream.start();
        proxy = TestProxy.startFile(backend, "http://127.0.0.1:" + upstream.getAddress().getPort(),
                "      default_policy: immutable\n");
    }

    @AfterEach
    void stop() {
        proxy.close();
        upstream.stop(0);
    }

    private String url(String name) {
        StringBuilder sb = new StringBuilder("http://127.0.0.1:" + proxy.port() + "/files");
        for (String seg : name.split("/")) {
            sb.append('/').append(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return sb.toString();
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        return Commands.run(null, List.of(cmd), 120);
    }

    @Test
    void curl_downloadsEveryFile_twice_byteIdentical() throws Exception {
        for (int pass = 0; pass < 2; pass++) {
            for (String n : names) {
                Path out = work.resolve("curl-" + pass + "-" + n.replace('/', '_'));
                run("curl", "-fsS", "-o", out.toString(), url(n));
                assertArrayEquals(Files.readAllBytes(upstreamRoot.resolve(n)), Files.readAllBytes(out), n);
            }
        }
        String head = run("curl", "-fsSI", url("32MiB.bin"));
        assertTrue(head.toLowerCase().contains("content-length: 33554432"), head);
        assertTrue(head.contains("X-Cache: HIT"), head);
    }

    @Test
    void curl_rangeAndResume() throws Exception {
        byte[] big = Files.readAllBytes(upstreamRoot.resolve("32MiB.bin"));
        Path part = work.resolve("range");
        run("curl", "-fsS", "-r", "100-199", "-o", part.toString(), url("1MiB.bin"));
        byte[] one = Files.readAllBytes(upstreamRoot.resolve("1MiB.bin"));
        byte[] expected = new byte[100];
        System.arraycopy(one, 100, expected, 0, 100);
        assertArrayEquals(expected, Files.readAllBytes(part));

        Path partial = work.resolve("resume.bin");
        byte[] first = new byte[5_000_000];
        System.arraycopy(big, 0, first, 0, first.length);
        Files.write(partial, first);
        run("curl", "-fsS", "-C", "-", "-o", partial.toString(), url("32MiB.bin"));
        assertArrayEquals(big, Files.readAllBytes(partial));
    }

    @Test
    void wget_downloadsThroughTheProxy() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("wget", "-q", "--no-config", "-P", work.toString()));
        cmd.add(url("1MiB.bin"));
        run(cmd.toArray(String[]::new));
        assertArrayEquals(Files.readAllBytes(upstreamRoot.resolve("1MiB.bin")), Files.readAllBytes(work.resolve("1MiB.bin")));
        Path nested = work.resolve("nested.txt");
        run("wget", "-q", "--no-config", "-O", nested.toString(), url("dir/sub/nested.txt"));
        assertArrayEquals(Files.readAllBytes(upstreamRoot.resolve("dir/sub/nested.txt")), Files.readAllBytes(nested));
        // wget -c resumes against a hit with a Range request
        Path partial = work.resolve("resume-w.bin");
        byte[] one = Files.readAllBytes(upstreamRoot.resolve("1MiB.bin"));
        Files.write(partial, java.util.Arrays.copyOf(one, 300_000));
        run("wget", "-q", "--no-config", "-c", "-O", partial.toString(), url("1MiB.bin"));
        assertArrayEquals(one, Files.readAllBytes(partial));
    }
}

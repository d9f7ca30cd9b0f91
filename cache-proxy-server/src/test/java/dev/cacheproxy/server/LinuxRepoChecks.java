package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** What the Linux repository ITs (rpm, pacman, apk) check alike, against a real upstream and proxy. */
final class LinuxRepoChecks {
    /** A client command that must succeed (it throws, failing the test, when it does not). */
    interface ClientRun {
        void run() throws Exception;
    }

    private LinuxRepoChecks() {}

    /** Until the proxy serves {@code path} from a published generation, with the bytes of {@code upstreamFile} now. */
    static void awaitGeneration(TestProxy proxy, String path, Path upstreamFile) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            HttpResponse<byte[]> r = proxy.get(path);
            if (r.statusCode() == 200 && r.headers().firstValue("X-Cache").orElse("").equals("HIT")
                    && Arrays.equals(r.body(), Files.readAllBytes(upstreamFile))) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "no current generation serving " + path);
            Thread.sleep(100);
        }
    }

    /**
     * The instance's status ({@code /-/status/<instance>}) lists {@code rootPath} as active with a published
     * generation, its age, upstream and package count: what the dashboard shows of a Linux repository.
     */
    static JsonNode assertRootPublished(TestProxy proxy, String instance, String rootPath) throws Exception {
        // the first generation is built in the background, a few seconds after a client first used the root
        long deadline = System.nanoTime() + 20_000_000_000L;
        JsonNode status = new ObjectMapper().readTree(proxy.get("/-/status/" + instance).body());
        while (!status.path("roots").toString().contains("\"state\":\"active\"") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            status = new ObjectMapper().readTree(proxy.get("/-/status/" + instance).body());
        }
        for (JsonNode r : status.path("roots")) {
            if (r.path("path").asText().equals(rootPath)) {
                assertEquals("active", r.path("state").asText(), r.toString());
                assertTrue(r.path("generation").isTextual() && r.path("published_at").isTextual(), r.toString());
                assertTrue(r.path("age_seconds").asLong(-1) >= 0 && r.path("packages").asLong() > 0, r.toString());
                assertTrue(r.path("upstream").isTextual(), r.toString());
                return r;
            }
        }
        throw new AssertionError("no root " + rootPath + " in " + status.path("roots"));
    }

    /**
     * Runs {@code republish} {@code times} times (700 ms apart) on its own thread while {@code client} runs
     * again and again: any failure of the client (a checksum or signature error) fails the test.
     */
    static void republishWhile(Path work, List<String> republish, int times, ClientRun client) throws Exception {
        AtomicReference<Exception> failed = new AtomicReference<>();
        Thread publisher = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < times; i++) {
                    Commands.run(work, republish, 120);
                    Thread.sleep(700);
                }
            } catch (Exception e) {
                failed.set(e);
            }
        });
        while (publisher.isAlive()) {
            client.run();
        }
        publisher.join();
        assertEquals(null, failed.get());
    }
}

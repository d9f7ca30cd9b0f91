package dev.cacheproxy.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.http.UploadBody;
import dev.cacheproxy.core.path.RequestPath;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every hosted mode (clients write to it) owes its writers and readers, run in process against each
 * one (a mode's test subclasses this): an upload is read back byte for byte; a cut, short or oversized
 * upload (announced or chunked) publishes nothing, leaves no temp file, and the key keeps its last whole body; a refusal is a 4xx,
 * never a 5xx (Nix retries a 5xx upload without its body and hangs; Gradle turns its cache off); two uploads
 * of one key at once leave one whole body; every upload is streamed and counts as a write, reads do not.
 *
 * <p>The mode's block must set its size limit to {@link #LIMIT} bytes.
 */
public abstract class HostedContract {
    /** The upload size limit the mode's block sets. */
    protected static final int LIMIT = 4096;

    @TempDir
    protected Path dir;

    protected ModeHarness harness;

    /** Builds the instance in {@code h}, its size limit set to {@link #LIMIT}. */
    protected abstract void start(ModeHarness h);

    /** The path below the mount an upload of {@code body} is stored at (content-addressed modes name it by its digest). */
    protected abstract String keyFor(byte[] body);

    /** The status a stored upload gets (exactly 200 for most clients). */
    protected int stored() {
        return 200;
    }

    @BeforeEach
    final void startHarness() throws IOException {
        harness = new ModeHarness(dir);
        start(harness);
    }

    @AfterEach
    final void stopHarness() throws IOException {
        harness.close();
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** An upload that announces {@code declared} bytes (-1: chunked) and sends {@code body}, then fails if {@code cut}. */
    protected static UploadBody upload(byte[] body, long declared, boolean cut) {
        return new UploadBody() {
            @Override
            public long declaredLength() {
                return declared;
            }

            @Override
            public InputStream open() {
                InputStream in = new ByteArrayInputStream(body);
                return !cut ? in : new InputStream() {
                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        if (b < 0) {
                            throw new IOException("the client went away");
                        }
                        return b;
                    }
                };
            }
        };
    }

    private ProxyResponse put(String path, UploadBody body) {
        return harness.upload("PUT", path, body);
    }

    private void assertRefused4xx(ProxyResponse r, String what) {
        assertTrue(r.status() >= 400 && r.status() < 500, what + ": a refusal is 4xx, got " + r.status());
    }

    private void assertHolds(String path, byte[] expected) throws Exception {
        ProxyResponse r = harness.get(path);
        assertEquals(200, r.status(), path);
        assertArrayEquals(expected, Bodies.of(r), path);
    }

    private void assertAbsent(String path) {
        assertEquals(404, harness.get(path).status(), path + " must not be stored");
    }

    @Test
    void anUpload_isReadBackWhole() throws Exception {
        byte[] body = bytes("a build output");
        String path = keyFor(body);
        assertAbsent(path);
        assertEquals(stored(), put(path, upload(body, body.length, false)).status());
        assertHolds(path, body);
        assertEquals("HIT", harness.get(path).cache().name());
    }

    @Test
    void aCutUpload_publishesNothing() throws IOException {
        byte[] body = bytes("half of this arrives");
        String path = keyFor(body);
        assertRefused4xx(put(path, upload(body, body.length + 100, true)), "cut");
        assertRefused4xx(put(path, upload(body, -1, true)), "cut, chunked");
        assertAbsent(path);
        assertNoTempFiles();
    }

    @Test
    void aBodyShorterThanAnnounced_publishesNothing() throws IOException {
        byte[] body = bytes("shorter than it said");
        String path = keyFor(body);
        assertRefused4xx(put(path, upload(body, body.length + 1, false)), "short");
        assertAbsent(path);
        assertNoTempFiles();
    }

    @Test
    void overTheLimit_announcedOrCounted_publishesNothing() throws IOException {
        byte[] big = new byte[LIMIT + 1];
        java.util.Arrays.fill(big, (byte) 'x');
        String path = keyFor(big);
        ProxyResponse announced = put(path, upload(big, big.length, false));
        assertEquals(413, announced.status(), "announced over the limit");
        assertEquals(413, put(path, upload(big, -1, false)).status(), "chunked past the limit");
        assertAbsent(path);
        assertNoTempFiles();
    }

    @Test
    void aRefusedRewrite_leavesTheLastWholeBody() throws Exception {
        byte[] body = bytes("the first, whole");
        String path = keyFor(body);
        assertEquals(stored(), put(path, upload(body, body.length, false)).status());
        assertRefused4xx(put(path, upload(body, body.length, true)), "cut rewrite");
        assertHolds(path, body);
    }

    @Test
    void twoUploadsOfOneKeyAtOnce_leaveOneWholeBody() throws Exception {
        byte[] body = new byte[LIMIT];
        java.util.Arrays.fill(body, (byte) 'y');
        String path = keyFor(body);
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService two = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ProxyResponse>> puts = Stream.of(1, 2).map(i -> two.submit(() -> {
                go.await();
                return put(path, upload(body, body.length, false));
            })).toList();
            go.countDown();
            for (Future<ProxyResponse> f : puts) {
                int status = f.get().status();
                assertTrue(status == stored() || status == 409, "stored, or refused as present: " + status);
            }
        }
        assertHolds(path, body);
    }

    @Test
    void uploadsAreStreamed_andAreWrites_readsAreNot() throws Exception {
        String path = keyFor(bytes("x"));
        RequestPath p = RequestPath.parse(path);
        assertTrue(harness.instance().accepts("PUT", p) && harness.instance().streamsUpload("PUT", p),
                "an upload is streamed, never read into memory");
        assertTrue(harness.instance().writes("PUT"));
        assertTrue(!harness.instance().writes("GET") && !harness.instance().writes("HEAD"));
    }

    /** A refused upload leaves no partial file in the store's temp directory. */
    private void assertNoTempFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> partial = files.filter(f -> f.getFileName().toString().endsWith(".part")).toList();
            assertTrue(partial.isEmpty(), "temp files left behind: " + partial);
        }
    }
}

package dev.cacheproxy.core.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The relay past a full disk: bytes in order, dropped once every reader has them, paced by the slowest. */
class RelayWindowTest {
    private static ByteBuffer bytes(int from, int n) {
        ByteBuffer b = ByteBuffer.allocate(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) (from + i));
        }
        return b.flip();
    }

    @Test
    void readersTakeTheBytesInOrder_andTheWindowDropsWhatAllHaveTaken() throws Exception {
        RelayWindow w = new RelayWindow(100, 8);
        Object fast = new Object();
        Object slow = new Object();
        w.readerAt(fast, 100);
        w.readerAt(slow, 100);
        w.append(bytes(0, 4));
        w.append(bytes(4, 4));
        assertEquals(108, w.end());
        ByteBuffer at102 = w.bytesAt(102, 100).orElseThrow();
        assertEquals(2, at102.remaining(), "up to the end of that chunk");
        assertEquals(2, at102.get());
        assertTrue(w.bytesAt(108, 1).isEmpty(), "not relayed yet");

        // the window is full (8 bytes): the next append waits for the slowest reader
        CompletableFuture<Void> third = CompletableFuture.runAsync(() -> {
            try {
                w.append(bytes(8, 4));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        w.readerAt(fast, 108);
        Thread.sleep(100);
        assertFalse(third.isDone(), "the slow reader still needs the first bytes");
        w.readerAt(slow, 104);
        third.get(5, TimeUnit.SECONDS);
        assertTrue(w.bytesAt(100, 1).isEmpty(), "taken by every reader: dropped");
        assertEquals(8, w.bytesAt(108, 4).orElseThrow().get());

        w.readerGone(slow);
        w.readerGone(fast);
        w.append(bytes(12, 4)); // nobody reads: no waiting
        assertEquals(116, w.end());
    }
}

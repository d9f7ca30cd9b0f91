package dev.cacheproxy.server.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-over of a streamed upload: bounded (the channel stops reading), whole, and failing loudly. */
class StreamedUploadTest {
    private static ByteBuf chunk(byte[] all, int from, int to) {
        return Unpooled.wrappedBuffer(all, from, to - from);
    }

    @Test
    void pastTheHighWaterTheChannelStopsReading_andResumesOnceTheReaderCatchesUp() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        byte[] body = new byte[3 * 1024 * 1024];
        new Random(1).nextBytes(body);
        StreamedUpload upload = new StreamedUpload(ch, body.length);
        int offered = 0;
        while (ch.config().isAutoRead()) {
            ByteBuf c = chunk(body, offered, offered + 64 * 1024);
            upload.offer(c);
            c.release(); // the codec's release, as RequestHandler's finally does
            offered += 64 * 1024;
        }
        assertTrue(offered > StreamedUpload.HIGH_WATER && offered <= StreamedUpload.HIGH_WATER + 64 * 1024,
                "paused just past the high water: " + offered);
        InputStream in = upload.open();
        byte[] got = new byte[body.length];
        int read = in.readNBytes(got, 0, offered - StreamedUpload.LOW_WATER + 1);
        ch.runPendingTasks();
        assertTrue(ch.config().isAutoRead(), "below the low water the channel reads again");
        while (offered < body.length) {
            ByteBuf c = chunk(body, offered, offered + 64 * 1024);
            upload.offer(c);
            c.release();
            offered += 64 * 1024;
            read += in.readNBytes(got, read, 64 * 1024);
        }
        upload.end();
        read += in.readNBytes(got, read, body.length - read);
        assertEquals(-1, in.read());
        assertArrayEquals(body, got);
        assertTrue(upload.complete());
    }

    @Test
    void aClientGoneBeforeTheEnd_orAStall_failsTheReader() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        StreamedUpload gone = new StreamedUpload(ch, 10);
        ByteBuf c = Unpooled.wrappedBuffer(new byte[4]);
        gone.offer(c);
        c.release();
        gone.fail("the client closed the connection before the body ended");
        InputStream in = gone.open();
        IOException e = assertThrows(IOException.class, () -> in.readNBytes(10));
        assertTrue(e.getMessage().contains("closed the connection"), e.getMessage());
        assertFalse(gone.complete());
        assertEquals(0, c.refCnt(), "its queued chunk was released");

        StreamedUpload stalled = new StreamedUpload(ch, 10, Duration.ofMillis(200));
        IOException stall = assertThrows(IOException.class, () -> stalled.open().read());
        assertTrue(stall.getMessage().contains("stalled"), stall.getMessage());
    }

    @Test
    void aReaderThatStopsEarlyMarksTheUploadIncomplete_soTheConnectionCloses() throws Exception {
        StreamedUpload upload = new StreamedUpload(new EmbeddedChannel(), 100);
        ByteBuf c = Unpooled.wrappedBuffer(new byte[50]);
        upload.offer(c);
        c.release();
        try (InputStream in = upload.open()) {
            in.readNBytes(10);
        }
        upload.end();
        assertFalse(upload.complete(), "answered before its end: the rest is never read");
        assertThrows(IOException.class, upload::open, "read once");
    }
}

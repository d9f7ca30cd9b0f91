package dev.cacheproxy.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchingStderrAppenderTest {
    private final LoggerContext context = new LoggerContext();

    @Test
    void everyLineArrivesWholeAndInOrder_inFewerWritesThanLines_andStopWritesWhatIsQueued() {
        RecordingStream out = new RecordingStream();
        BatchingStderrAppender appender = started(out);
        int lines = 5_000;
        for (int i = 0; i < lines; i++) {
            appender.doAppend(event("GET /file/" + i + " 200"));
        }
        appender.stop();

        List<String> written = out.text().lines().toList();
        assertEquals(lines, written.size());
        for (int i = 0; i < lines; i++) {
            assertEquals("GET /file/" + i + " 200", written.get(i));
        }
        assertTrue(out.writes.size() < lines / 10, "batched: " + out.writes.size() + " writes for " + lines);
        for (byte[] write : out.writes) {
            assertEquals('\n', write[write.length - 1], "a write carries whole lines only");
        }
    }

    @Test
    void aFullQueue_dropsNewLinesAndSaysHowMany_insteadOfBlockingTheCaller() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingStream out = new RecordingStream() {
            @Override
            public void write(byte[] b, int off, int len) {
                writing.countDown();
                try {
                    release.await(); // the writer is stuck: the queue fills
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.write(b, off, len);
            }
        };
        BatchingStderrAppender appender = started(out);
        appender.doAppend(event("first"));
        assertTrue(writing.await(10, TimeUnit.SECONDS), "the writer takes \"first\" and blocks on its write");
        int offered = BatchingStderrAppender.MAX_QUEUED + 100;
        for (int i = 0; i < offered; i++) {
            appender.doAppend(event("line " + i));
        }
        assertEquals(100, appender.dropped());
        release.countDown();
        appender.stop();

        List<String> written = out.text().lines().toList();
        assertTrue(written.contains("access log: 100 lines dropped (writer behind)"), written.subList(0, 3).toString());
        assertEquals(1 + BatchingStderrAppender.MAX_QUEUED + 1, written.size());
    }

    private BatchingStderrAppender started(OutputStream out) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        BatchingStderrAppender appender = new BatchingStderrAppender(out);
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }

    private LoggingEvent event(String message) {
        LoggingEvent event = new LoggingEvent();
        event.setLoggerContext(context);
        event.setLoggerName("access");
        event.setLevel(Level.INFO);
        event.setMessage(message);
        event.setTimeStamp(System.currentTimeMillis());
        return event;
    }

    /** Keeps each write separately, to see the batching. */
    private static class RecordingStream extends OutputStream {
        final List<byte[]> writes = new ArrayList<>();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            byte[] copy = new byte[len];
            System.arraycopy(b, off, copy, 0, len);
            writes.add(copy);
        }

        synchronized String text() {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            writes.forEach(all::writeBytes);
            return all.toString(StandardCharsets.UTF_8);
        }
    }
}

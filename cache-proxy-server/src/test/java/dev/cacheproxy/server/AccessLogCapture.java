package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/** The access log's lines while open, for tests that check what a line says (and what it never says). */
final class AccessLogCapture implements AutoCloseable {
    private final Logger access = (Logger) LoggerFactory.getLogger("access");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    AccessLogCapture() {
        lines.start();
        access.addAppender(lines);
    }

    List<String> lines() {
        synchronized (lines) { // AppenderBase appends under its own monitor
            return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** Waits up to 5 s for a line (one is written once its response is done) and returns it. */
    String await(Predicate<String> line, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            List<String> seen = new ArrayList<>(lines());
            for (String s : seen) {
                if (line.test(s)) {
                    return s;
                }
            }
            assertTrue(System.nanoTime() < deadline, what + ": " + seen);
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        access.detachAppender(lines);
    }
}

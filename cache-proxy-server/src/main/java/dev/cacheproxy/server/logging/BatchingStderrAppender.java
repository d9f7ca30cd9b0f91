package dev.cacheproxy.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An appender for high-rate lines (the access log): {@link #append} only puts the event on a lock-free
 * queue; one writer thread formats what has queued and writes it to standard error in as few
 * {@code write(2)} calls as it can, then sleeps a millisecond (or {@value #IDLE_PAUSE_MS} ms when there
 * was nothing to write).
 *
 * <p>Why not logback's {@code AsyncAppender} in front of a {@code ConsoleAppender}: that pair hands
 * each line over through a blocking queue (a wake-up of the writer per line) and writes each line with
 * its own unbuffered {@code write(2)}. Under a hit load that was a tenth of the process's CPU, mostly
 * context switches (docs/benchmarks.md). Batching costs at most a few milliseconds of delay per line.
 *
 * <p>Messages are formatted on the writer thread, so the arguments logged must not change after the
 * call (the access log's are strings and numbers). Each {@code write(2)} carries whole lines only, so a
 * line is never split by another writer of the same descriptor (the root logger's console appender).
 * When more than {@value #MAX_QUEUED} lines wait, new ones are dropped and counted rather than stalling
 * the event loops or growing the heap; the count is reported in the next batch. Lines still queued when
 * logback stops (the shutdown hook) are written.
 */
public final class BatchingStderrAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    static final int MAX_QUEUED = 16_384;
    static final int BUFFER_BYTES = 64 * 1024;
    static final long BUSY_PAUSE_MS = 1;
    static final long IDLE_PAUSE_MS = 20;

    private final ConcurrentLinkedQueue<ILoggingEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final OutputStream out;
    private Encoder<ILoggingEvent> encoder;
    private volatile boolean running;
    private Thread writer;

    /** Writes to file descriptor 2 directly: {@code System.err} is a synchronized, autoflushing stream. */
    public BatchingStderrAppender() {
        this(new FileOutputStream(FileDescriptor.err));
    }

    BatchingStderrAppender(OutputStream out) {
        this.out = out;
    }

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("no encoder for appender " + name);
            return;
        }
        running = true;
        writer = Thread.ofPlatform().daemon().name("access-log-writer").start(this::writeLoop);
        super.start();
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        running = false;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        // Only the thread's name is captured here; the message is formatted on the writer thread, off the
        // event loop (formatting was a few percent of a hit's CPU). That is safe for the access log, whose
        // arguments are strings and numbers; a logger with mutable arguments should not use this appender.
        event.getThreadName();
        queue.offer(event);
    }

    /** Lines dropped so far because the queue was full. */
    long dropped() {
        return dropped.get();
    }

    private void writeLoop() {
        byte[] buffer = new byte[BUFFER_BYTES];
        while (running) {
            boolean wrote = drain(buffer);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(wrote ? BUSY_PAUSE_MS : IDLE_PAUSE_MS));
        }
        drain(buffer);
    }

    /** Writes every queued line; returns whether there was any. */
    private boolean drain(byte[] buffer) {
        int filled = 0;
        boolean any = false;
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            String notice = "access log: " + lost + " lines dropped (writer behind)\n";
            filled = put(buffer, filled, notice.getBytes(StandardCharsets.UTF_8));
        }
        for (ILoggingEvent event; (event = queue.poll()) != null; ) {
            queued.decrementAndGet();
            any = true;
            byte[] line;
            try {
                line = encoder.encode(event);
            } catch (RuntimeException e) {
                addError("could not format an access line", e);
                continue;
            }
            filled = put(buffer, filled, line);
        }
        flush(buffer, filled);
        return any || lost > 0;
    }

    /** Appends {@code line}, first writing out the buffer when the line would not fit. */
    private int put(byte[] buffer, int filled, byte[] line) {
        if (filled + line.length > buffer.length) {
            flush(buffer, filled);
            filled = 0;
            if (line.length > buffer.length) {
                flush(line, line.length);
                return 0;
            }
        }
        System.arraycopy(line, 0, buffer, filled, line.length);
        return filled + line.length;
    }

    private void flush(byte[] bytes, int length) {
        if (length == 0) {
            return;
        }
        try {
            out.write(bytes, 0, length);
            out.flush();
        } catch (IOException e) {
            // stderr closed or full: nothing better to report to than the status manager
            addError("could not write the access log", e);
        }
    }
}

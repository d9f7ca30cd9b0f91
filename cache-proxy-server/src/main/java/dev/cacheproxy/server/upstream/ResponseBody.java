package dev.cacheproxy.server.upstream;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The body of one upstream response as its reader sees it: the buffers the connection's event loop
 * read, handed over without a copy, and copied once into the reader's array.
 *
 * <p>Back-pressure: the connection reads (auto-read is off) only while less than {@link #PAUSE_AT} bytes
 * wait here; once the reader has taken the buffer below {@link #RESUME_BELOW} it asks for the next read.
 * A slow disk or client therefore holds the upstream's TCP window, not our memory.
 *
 * <p>Closing before the end gives the connection up ({@code abandon}): the rest of the body is never read.
 * A failure after some bytes is thrown once those bytes have been read.
 */
final class ResponseBody extends InputStream {
    static final int PAUSE_AT = 1 << 20;
    static final int RESUME_BELOW = 256 << 10;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
    /** Asks the connection for one more read (thread-safe: Netty runs it on the event loop). */
    private final Runnable readMore;
    /** Gives the connection up when the body is closed before its end. */
    private final Runnable abandon;
    private long buffered;
    private boolean ended;
    private boolean closed;
    private boolean paused;
    private IOException failure;

    ResponseBody(Runnable readMore, Runnable abandon) {
        this.readMore = readMore;
        this.abandon = abandon;
    }

    /** Event loop: the next bytes of the body, now owned here. */
    void offer(ByteBuf chunk) {
        lock.lock();
        try {
            if (closed) {
                chunk.release();
                return;
            }
            chunks.addLast(chunk);
            buffered += chunk.readableBytes();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Event loop: the body is complete. */
    void end() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Event loop (or a failed write): the body broke; the reader gets what came before, then {@code e}. */
    void fail(IOException e) {
        lock.lock();
        try {
            if (!ended && failure == null) {
                failure = e;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Event loop, after a read: whether to read on; if not, the reader resumes reading once it has caught up. */
    boolean readOn() {
        lock.lock();
        try {
            if (closed || ended || failure != null) {
                return false;
            }
            if (buffered >= PAUSE_AT) {
                paused = true;
                return false;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n = 0;
        boolean resume = false;
        lock.lock();
        try {
            while (chunks.isEmpty()) {
                if (closed) {
                    throw new IOException("upstream body closed");
                }
                if (failure != null) {
                    throw new IOException(failure.getMessage(), failure);
                }
                if (ended) {
                    return -1;
                }
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the upstream body");
                }
            }
            while (n < len && !chunks.isEmpty()) {
                ByteBuf head = chunks.peekFirst();
                int k = Math.min(len - n, head.readableBytes());
                head.readBytes(b, off + n, k);
                n += k;
                if (!head.isReadable()) {
                    chunks.pollFirst().release();
                }
            }
            buffered -= n;
            if (paused && buffered < RESUME_BELOW) {
                paused = false;
                resume = true;
            }
        } finally {
            lock.unlock();
        }
        if (resume) {
            readMore.run();
        }
        return n;
    }

    @Override
    public int available() {
        lock.lock();
        try {
            return (int) Math.min(Integer.MAX_VALUE, buffered);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        boolean complete;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            complete = ended;
            for (ByteBuf c : chunks) {
                c.release();
            }
            chunks.clear();
            buffered = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (!complete) {
            abandon.run();
        }
    }
}

package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.UploadBody;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A request body handed from the event loop (which {@link #offer}s its chunks) to the virtual thread that
 * reads it ({@link #open}), through a queue of at most about {@link #HIGH_WATER} bytes: past it the
 * connection stops reading (HTTP/1.1: TCP backpressure; HTTP/2: the stream's window stays closed) until the
 * reader has taken the queue below {@link #LOW_WATER}. So an upload of any size holds about a megabyte.
 *
 * <p>The reader sees the body's end, or an {@link IOException} when the client went away before it, sent a
 * malformed chunk, or sent nothing for {@link #STALL} (a stalled upload must not hold a writer forever).
 */
final class StreamedUpload implements UploadBody {
    static final int HIGH_WATER = 1024 * 1024;
    static final int LOW_WATER = 256 * 1024;
    static final Duration STALL = Duration.ofSeconds(60);

    private final Channel channel;
    private final long declaredLength;
    private final Duration stall;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
    private long queued;
    private boolean ended;
    private IOException failure;
    private boolean paused;
    private boolean opened;

    StreamedUpload(Channel channel, long declaredLength) {
        this(channel, declaredLength, STALL);
    }

    StreamedUpload(Channel channel, long declaredLength, Duration stall) {
        this.channel = channel;
        this.declaredLength = declaredLength;
        this.stall = stall;
    }

    @Override
    public long declaredLength() {
        return declaredLength;
    }

    /** A chunk off the wire (event loop); retained here, released once read or discarded. */
    void offer(ByteBuf chunk) {
        if (!chunk.isReadable()) {
            return;
        }
        lock.lock();
        try {
            if (ended || failure != null) {
                return; // discarded: nobody will read it
            }
            chunks.add(chunk.retain());
            queued += chunk.readableBytes();
            if (queued > HIGH_WATER && !paused) {
                paused = true;
                channel.config().setAutoRead(false);
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The last chunk has arrived (event loop). */
    void end() {
        lock.lock();
        try {
            ended = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the whole body has arrived (event loop: the connection may serve its next request). */
    boolean complete() {
        lock.lock();
        try {
            return ended && failure == null;
        } finally {
            lock.unlock();
        }
    }

    /** The client went away or broke the body (event loop, or the reader when it gives up): the reader fails. */
    void fail(String why) {
        lock.lock();
        try {
            if (failure == null && !ended) {
                failure = new IOException(why);
            }
            releaseQueued();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Its exchange is over (event loop): what nobody read is released. A body that arrived whole but was
     * answered unread (401, 403, 413 ...) would otherwise hold its pooled buffers until the garbage collector
     * dropped them, never returned to the pool: a leak an anonymous client could repeat at will. Whoever still
     * reads after this gets an error, never a body cut short as if it had ended.
     */
    void discard() {
        lock.lock();
        try {
            if (!chunks.isEmpty() && failure == null) {
                failure = new IOException("the upload was answered before it was read");
            }
            releaseQueued();
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: the queued chunks go back to their pool, and a waiting reader wakes to see why. */
    private void releaseQueued() {
        chunks.forEach(ByteBuf::release);
        chunks.clear();
        queued = 0;
        arrived.signalAll();
    }

    @Override
    public InputStream open() throws IOException {
        lock.lock();
        try {
            if (opened) {
                throw new IOException("an upload is read once");
            }
            opened = true;
        } finally {
            lock.unlock();
        }
        return new Reader();
    }

    private final class Reader extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            boolean resume = false;
            int n;
            lock.lock();
            try {
                long deadline = System.nanoTime() + stall.toNanos();
                while (chunks.isEmpty()) {
                    if (failure != null) {
                        throw failure;
                    }
                    if (ended) {
                        return -1;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        failure = new IOException("the upload stalled: nothing arrived for " + stall.toSeconds() + " s");
                        throw failure;
                    }
                    try {
                        arrived.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while reading the upload", e);
                    }
                }
                ByteBuf head = chunks.peek();
                n = Math.min(len, head.readableBytes());
                head.readBytes(into, off, n);
                if (!head.isReadable()) {
                    chunks.poll().release();
                }
                queued -= n;
                if (paused && queued < LOW_WATER) {
                    paused = false;
                    resume = true;
                }
            } finally {
                lock.unlock();
            }
            if (resume) {
                channel.eventLoop().execute(() -> {
                    channel.config().setAutoRead(true);
                    channel.read();
                });
            }
            return n;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (!ended && failure == null) {
                    failure = new IOException("the upload was not read to its end");
                }
                releaseQueued();
            } finally {
                lock.unlock();
            }
        }
    }
}

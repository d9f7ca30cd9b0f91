package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.fetch.FillListener;
import dev.cacheproxy.core.fetch.FillView;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Streams a fill in progress to one client by following its growing file with zero-copy regions.
 *
 * <p>Pacing: regions are written only while the channel is writable; the handler calls
 * {@link #resume()} when it becomes writable again, so a slow client never makes us buffer. The fill
 * itself is not slowed by a slow client (it writes to disk, not to us).
 *
 * <p>Integrity: the last byte of a known-length body, and the terminating chunk of an unknown-length
 * one, are sent only after the fill is verified (every byte written, every expected digest checked). When the
 * fill aborts before that, the connection is
 * closed, so the client sees a body shorter than its Content-Length or an unterminated chunked body:
 * never a short body that looks complete.
 *
 * <p>A full disk: when the fill's disk filled up mid-body, the bytes past {@link FillView#fileEnd} come
 * from the fill's relay in memory instead of the file (copied into buffers, not zero-copy), and this
 * follower reports how far it is so that the relay can drop what it has taken.
 *
 * <p>Threading: listener callbacks come from the fill's thread and only schedule {@link #pump()} on
 * the event loop, where all channel work happens.
 */
final class FillFollower implements FillListener {
    private static final long MAX_REGION = 1 << 20;

    private final Exchange ex;
    private final FillView fill;
    private final FileChannel file;
    private final long endExclusive; // -1 while the length is unknown
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private long position;
    private volatile long available;
    private volatile long total = -1;
    private volatile String abortReason;
    private boolean done;

    FillFollower(Exchange ex, FillView fill, FileChannel file, long start, long endExclusive) {
        this.ex = ex;
        this.fill = fill;
        this.file = file;
        this.position = start;
        this.endExclusive = endExclusive;
    }

    void begin() {
        fill.subscribe(this);
    }

    @Override
    public void onProgress(long available) {
        this.available = available;
        schedule();
    }

    @Override
    public void onComplete(long total) {
        this.available = total;
        this.total = total;
        schedule();
    }

    @Override
    public void onAbort(String reason) {
        this.abortReason = reason;
        schedule();
    }

    @Override
    public boolean readsRelay() {
        return true;
    }

    /** Called by the handler when the channel becomes writable again. */
    void resume() {
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            ex.ctx.executor().execute(this::pump);
        }
    }

    private void pump() {
        scheduled.set(false);
        if (done) {
            return;
        }
        if (!ex.ctx.channel().isActive()) {
            finish(true);
            return;
        }
        if (abortReason != null) {
            finish(true); // a fill reports an abort only before it is verified, so the body is incomplete
            return;
        }
        boolean verified = total >= 0;
        long end = endExclusive >= 0 ? endExclusive : total;
        long limit;
        if (verified) {
            limit = end;
        } else {
            // Hold back the final byte of a known-length body until the fill is verified;
            // an unknown-length body is held back by its terminating chunk instead.
            long expected = fill.expectedLength();
            long cap = expected >= 0 ? Math.min(available, expected - 1) : available;
            limit = endExclusive >= 0 ? Math.min(endExclusive, cap) : cap;
        }
        boolean wrote = false;
        while (position < limit && ex.ctx.channel().isWritable()) {
            long fileEnd = fill.fileEnd();
            long n;
            if (position < fileEnd) {
                n = Math.min(Math.min(limit, fileEnd) - position, MAX_REGION);
                FileBodies.write(ex.ctx, file, position, n, true);
            } else {
                // past a full disk: the bytes come from the fill's relay, copied (the relay drops them
                // once every reader has taken them)
                Optional<ByteBuffer> relayed = fill.relayed(position, (int) Math.min(limit - position, MAX_REGION));
                if (relayed.isEmpty()) {
                    // below `available` the bytes were relayed: gone means this reader came too late
                    finish(true);
                    return;
                }
                n = relayed.get().remaining();
                ex.ctx.write(Unpooled.copiedBuffer(relayed.get()));
            }
            ex.bytes += n;
            position += n;
            wrote = true;
        }
        if (fill.fileEnd() != Long.MAX_VALUE) {
            fill.readerAt(this, position);
        }
        if (verified && position >= end) {
            done = true;
            fill.unsubscribe(this);
            ex.ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener((ChannelFutureListener) f -> {
                closeFile();
                if (f.isSuccess()) {
                    ex.finished();
                } else {
                    ex.aborted();
                }
            });
            return;
        }
        if (wrote) {
            ex.ctx.flush();
        }
    }

    private void finish(boolean abort) {
        done = true;
        fill.unsubscribe(this);
        closeFile();
        if (abort) {
            ex.aborted();
        } else {
            ex.finished();
        }
    }

    private void closeFile() {
        try {
            file.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}

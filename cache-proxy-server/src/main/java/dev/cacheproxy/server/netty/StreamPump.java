package dev.cacheproxy.server.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Copies an upstream body (bypassed, not stored) to the client on a virtual thread, writing only while
 * the channel is writable: a slow client pauses the upstream read instead of filling memory. An
 * upstream read error closes the connection, so a cut body never looks complete.
 */
final class StreamPump {
    private static final int CHUNK = 64 * 1024;

    private final Exchange ex;
    private final InputStream body;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition writable = lock.newCondition();

    StreamPump(Exchange ex, InputStream body) {
        this.ex = ex;
        this.body = body;
    }

    /** Called on the event loop when writability changes or the channel closes. */
    void signal() {
        lock.lock();
        try {
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Runs on a virtual thread. */
    void run() {
        boolean ok = false;
        try (InputStream in = body) {
            byte[] buf = new byte[CHUNK];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (n == 0) {
                    continue;
                }
                awaitWritable();
                if (!ex.ctx.channel().isActive()) {
                    break;
                }
                ex.bytes += n;
                ex.ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buf, 0, n)));
            }
            ok = n < 0;
        } catch (IOException e) {
            ok = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean success = ok && ex.ctx.channel().isActive();
        ex.ctx.executor().execute(() -> {
            if (!success) {
                ex.aborted();
                return;
            }
            ChannelFuture f = ex.ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            f.addListener(done -> {
                if (done.isSuccess()) {
                    ex.finished();
                } else {
                    ex.aborted();
                }
            });
        });
    }

    private void awaitWritable() throws InterruptedException {
        lock.lock();
        try {
            while (ex.ctx.channel().isActive() && !ex.ctx.channel().isWritable()) {
                writable.await();
            }
        } finally {
            lock.unlock();
        }
    }
}

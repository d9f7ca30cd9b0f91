package dev.cacheproxy.core.testing;

import dev.cacheproxy.core.fetch.FillListener;
import dev.cacheproxy.core.fetch.FillView;
import dev.cacheproxy.core.http.ProxyResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** The body a client would receive for a response value, as the server's writer would send it. */
public final class Bodies {
    private Bodies() {}

    /**
     * The whole body; for a fill in progress, once the fill is complete. Returns only once that fill is
     * over (its blob stored and indexed, or not), so that what a test asks of the engine next sees the
     * stored entry: a client that asks again at once sees the same, by joining the fill.
     *
     * @throws IOException when the client would see an aborted response (a fill that failed)
     */
    public static byte[] of(ProxyResponse r) throws IOException, InterruptedException {
        return switch (r) {
            case ProxyResponse.Document d -> d.body();
            case ProxyResponse.Stored s -> Files.readAllBytes(s.blob().path());
            case ProxyResponse.Streamed s -> {
                try (var in = s.body()) {
                    yield in.readAllBytes();
                }
            }
            case ProxyResponse.Filling f -> {
                byte[] body = follow(f.fill());
                try {
                    f.fill().settled().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    throw new IOException("the fill did not settle in 30 s", e);
                }
                yield body;
            }
        };
    }

    /**
     * Reads a fill as the server's follower does: the file while it grows, then (past a full disk) the
     * relay, reporting how far it is; the whole body once the fill is verified.
     */
    private static byte[] follow(FillView fill) throws IOException, InterruptedException {
        LinkedBlockingQueue<Long> signals = new LinkedBlockingQueue<>();
        AtomicLong available = new AtomicLong();
        AtomicLong total = new AtomicLong(-1);
        AtomicReference<String> aborted = new AtomicReference<>();
        FillListener l = new FillListener() {
            @Override
            public void onProgress(long a) {
                // the report at subscribe may arrive after later ones from the fill's thread: never go back
                available.accumulateAndGet(a, Math::max);
                signals.offer(a);
            }

            @Override
            public void onComplete(long t) {
                total.set(t);
                available.accumulateAndGet(t, Math::max);
                signals.offer(t);
            }

            @Override
            public void onAbort(String reason) {
                aborted.set(reason);
                signals.offer(-1L);
            }

            @Override
            public boolean readsRelay() {
                return true;
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fill.subscribe(l);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (FileChannel ch = fill.openReader()) {
            long pos = 0;
            while (true) {
                if (aborted.get() != null) {
                    throw new IOException("aborted: " + aborted.get());
                }
                long limit = total.get() >= 0 ? total.get() : available.get();
                while (pos < limit) {
                    long fileEnd = fill.fileEnd();
                    ByteBuffer b;
                    if (pos < fileEnd) {
                        b = ByteBuffer.allocate((int) Math.min(Math.min(limit, fileEnd) - pos, 1 << 16));
                        ch.read(b, pos);
                        b.flip();
                    } else {
                        b = fill.relayed(pos, 1 << 16).orElseThrow(() -> new IOException("relayed bytes dropped"));
                    }
                    byte[] chunk = new byte[b.remaining()];
                    b.get(chunk);
                    out.write(chunk);
                    pos += chunk.length;
                }
                if (fill.fileEnd() != Long.MAX_VALUE) {
                    fill.readerAt(l, pos);
                }
                if (total.get() >= 0 && pos >= total.get()) {
                    return out.toByteArray();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || signals.poll(left, TimeUnit.NANOSECONDS) == null) {
                    throw new IOException("the fill did not finish in 30 s");
                }
            }
        } finally {
            fill.unsubscribe(l);
        }
    }
}

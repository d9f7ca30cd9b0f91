package dev.cacheproxy.core.testing;

import dev.cacheproxy.core.fetch.FillListener;
import dev.cacheproxy.core.http.ProxyResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
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
                CompletableFuture<Long> done = new CompletableFuture<>();
                FillListener l = new FillListener() {
                    @Override
                    public void onProgress(long available) {}

                    @Override
                    public void onComplete(long total) {
                        done.complete(total);
                    }

                    @Override
                    public void onAbort(String reason) {
                        done.completeExceptionally(new IOException("aborted: " + reason));
                    }
                };
                f.fill().subscribe(l);
                long total;
                try {
                    total = done.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw (IOException) e.getCause();
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new IOException("the fill did not finish in 30 s");
                } finally {
                    f.fill().unsubscribe(l);
                }
                byte[] body;
                try (FileChannel ch = f.fill().openReader()) {
                    ByteBuffer b = ByteBuffer.allocate((int) total);
                    while (b.hasRemaining() && ch.read(b) >= 0) {
                        // read on
                    }
                    body = b.array();
                }
                try {
                    f.fill().settled().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    throw new IOException("the fill did not settle in 30 s", e);
                }
                yield body;
            }
        };
    }
}

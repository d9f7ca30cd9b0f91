package dev.cacheproxy.core.fetch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One upstream fetch of one key, shared by every request that wants it (single flight). Its
 * {@link #outcome()} completes once the upstream has answered; when the answer is a body being
 * stored, followers read the growing temp file through {@link FillView}.
 *
 * <p>A body is complete for its readers once it is {@link #verified} (every byte written and every
 * expected digest checked), before it is made durable and indexed ({@link #published}): the fsyncs and
 * renames that crash safety needs are the storing's business, not the client's wait. A failure after
 * that point (a full disk at commit) loses the cached copy, never a reader's body.
 *
 * <p>Threading: exactly one thread (the fill's own) calls the state-changing methods
 * ({@link #begin}, {@link #progress}, {@link #verified}, {@link #published}, {@link #aborted}); any
 * thread may subscribe.
 *
 * @param <O> the type of the outcome the engine resolves
 */
public final class Fill<O> implements FillView {
    private enum State { WAITING, RUNNING, VERIFIED, PUBLISHED, ABORTED }

    private final String key;
    private final CompletableFuture<O> outcome = new CompletableFuture<>();
    private final CompletableFuture<Optional<String>> settled = new CompletableFuture<>();
    private final List<FillListener> listeners = new CopyOnWriteArrayList<>();
    private volatile State state = State.WAITING;
    private volatile Path file;
    private volatile long expectedLength = -1;
    private volatile long available;
    private volatile String abortReason;
    private volatile long fileEnd = Long.MAX_VALUE;
    private volatile RelayWindow relay;

    public Fill(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public CompletableFuture<O> outcome() {
        return outcome;
    }

    /** The body starts: followers may read {@code tempFile}. */
    public void begin(Path tempFile, long expectedLength) {
        this.file = tempFile;
        this.expectedLength = expectedLength;
        this.state = State.RUNNING;
    }

    public void progress(long written) {
        available = written;
        for (FillListener l : listeners) {
            l.onProgress(written);
        }
    }

    /**
     * The disk filled up after {@code fileEnd} bytes of the body: the rest comes through {@link #relay},
     * in a window of {@code windowBytes} in memory, to the readers following now; the file keeps its
     * first {@code fileEnd} bytes until the fill ends. Such a body is never stored.
     */
    public void spilled(long fileEnd, long windowBytes) {
        RelayWindow w = new RelayWindow(fileEnd, windowBytes);
        for (FillListener l : listeners) {
            if (l.readsRelay()) {
                w.readerAt(l, fileEnd); // it reads the file up to there first
            }
        }
        this.relay = w;
        this.fileEnd = fileEnd;
    }

    /**
     * The next bytes of a spilled body, for its readers; blocks while the window is full (the slowest
     * reader sets the pace). A reader stalled for a minute is told the fill aborted (its response is cut).
     */
    public void relay(ByteBuffer chunk) throws InterruptedException {
        RelayWindow w = relay;
        for (Object stalled : w.append(chunk).keySet()) {
            ((FillListener) stalled).onAbort("too slow to follow a body the full disk could not hold");
        }
        progress(w.end());
    }

    @Override
    public long fileEnd() {
        return fileEnd;
    }

    @Override
    public Optional<ByteBuffer> relayed(long position, int max) {
        RelayWindow w = relay;
        return w == null ? Optional.empty() : w.bytesAt(position, max);
    }

    @Override
    public void readerAt(FillListener reader, long position) {
        RelayWindow w = relay;
        if (w != null) {
            w.readerAt(reader, position);
        }
    }

    /** All {@code total} bytes are written and verified: readers may finish (the temp file stays until published). */
    public void verified(long total) {
        available = total;
        state = State.VERIFIED;
        for (FillListener l : listeners) {
            l.onComplete(total);
        }
    }

    /** The blob is durable at {@code blobFile} and indexed. */
    public void published(Path blobFile, long total) {
        boolean announced;
        synchronized (this) {
            announced = state == State.VERIFIED;
            file = blobFile;
            available = total;
            state = State.PUBLISHED;
            notifyAll();
        }
        if (!announced) {
            for (FillListener l : listeners) {
                l.onComplete(total);
            }
        }
        settled.complete(Optional.empty());
    }

    public void aborted(String reason) {
        boolean announced;
        synchronized (this) {
            announced = state == State.VERIFIED;
            abortReason = reason;
            state = State.ABORTED;
            notifyAll();
        }
        // readers told the body was complete keep it: it was verified; only the stored copy is lost
        if (!announced) {
            for (FillListener l : listeners) {
                l.onAbort(reason);
            }
        }
        settled.complete(Optional.of(reason));
    }

    /** Whether every byte is written and verified (published or about to be). */
    public boolean isVerified() {
        State s = state;
        return s == State.VERIFIED || s == State.PUBLISHED;
    }

    @Override
    public CompletableFuture<Optional<String>> settled() {
        return settled;
    }

    @Override
    public boolean aborted() {
        return state == State.ABORTED;
    }

    public boolean isFinished() {
        return state == State.PUBLISHED || state == State.ABORTED;
    }

    @Override
    public long expectedLength() {
        return expectedLength;
    }

    @Override
    public FileChannel openReader() throws IOException {
        while (true) {
            Path p = file;
            State s = state;
            if (s == State.ABORTED) {
                throw new IOException("fill aborted: " + abortReason);
            }
            try {
                return FileChannel.open(p, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                // The temp file was just renamed onto its blob path (or deleted on abort): wait for the
                // state change that comes with it, then try the new path.
                synchronized (this) {
                    if (state == s && file == p) {
                        try {
                            wait(1000);
                        } catch (InterruptedException ie) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted", ie);
                        }
                    }
                }
                if (state == s && file == p) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void subscribe(FillListener listener) {
        listeners.add(listener);
        RelayWindow w = relay;
        if (w != null && listener.readsRelay()) {
            w.readerAt(listener, fileEnd); // came after the spill: it reads the file first
        }
        switch (state) {
            case VERIFIED, PUBLISHED -> listener.onComplete(available);
            case ABORTED -> listener.onAbort(abortReason);
            default -> listener.onProgress(available);
        }
    }

    @Override
    public void unsubscribe(FillListener listener) {
        listeners.remove(listener);
        RelayWindow w = relay;
        if (w != null) {
            w.readerGone(listener);
        }
    }
}

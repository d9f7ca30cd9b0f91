package dev.cacheproxy.core.fetch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** What a response writer needs of a fill in progress: its length (if known), its bytes, its progress. */
public interface FillView {
    /** The body length the upstream announced, or -1 when it did not. */
    long expectedLength();

    /**
     * Opens the bytes for reading: the temp file while the fill runs, the published blob after.
     * Blocks briefly if called just as the file is being published; never on an event loop.
     *
     * @throws IOException when the fill aborted before the file could be opened
     */
    FileChannel openReader() throws IOException;

    /** Whether the fill has already failed (nothing will be published). */
    boolean aborted();

    /**
     * Completes once the fill is over: empty when its blob is published and indexed, the reason when it
     * aborted. Its readers may have finished earlier (see {@link Fill#verified}).
     */
    CompletableFuture<Optional<String>> settled();

    /**
     * How many bytes from offset 0 are in the file {@link #openReader} opens: all of them
     * ({@link Long#MAX_VALUE}) unless the disk filled up during the fill, after which the rest of the body
     * is relayed in memory to the readers already following ({@link #relayed}).
     */
    default long fileEnd() {
        return Long.MAX_VALUE;
    }

    /**
     * Up to {@code max} bytes of the body at {@code position} (at or past {@link #fileEnd}) from the
     * relay; empty while they have not arrived, and when they were dropped before this reader took them
     * (it came too late, or stalled).
     */
    default Optional<ByteBuffer> relayed(long position, int max) {
        return Optional.empty();
    }

    /** A reader of the relay has taken every byte before {@code position} (they may be dropped now). */
    default void readerAt(FillListener reader, long position) {}

    /** Adds a listener and immediately reports the current state to it. */
    void subscribe(FillListener listener);

    void unsubscribe(FillListener listener);
}

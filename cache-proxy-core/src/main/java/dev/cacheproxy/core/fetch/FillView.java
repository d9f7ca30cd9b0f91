package dev.cacheproxy.core.fetch;

import java.io.IOException;
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

    /** Adds a listener and immediately reports the current state to it. */
    void subscribe(FillListener listener);

    void unsubscribe(FillListener listener);
}

package dev.cacheproxy.core.http;

import java.io.IOException;
import java.io.InputStream;

/**
 * A request body streamed to the instance as it arrives (an upload a hosted mode stores), instead of
 * being read into memory first: only for requests the instance said it streams
 * ({@link dev.cacheproxy.core.mode.ModeInstance#streamsUpload}). The server reads the connection only as
 * fast as {@link #open()}'s stream is read (backpressure), so a large upload never sits in memory.
 */
public interface UploadBody {
    /** No streamed body: every request but the uploads a hosted mode accepts. */
    UploadBody NONE = new UploadBody() {
        @Override
        public long declaredLength() {
            return 0;
        }

        @Override
        public InputStream open() {
            return InputStream.nullInputStream();
        }
    };

    /** The length the client announced ({@code Content-Length}), or -1 (chunked). */
    long declaredLength();

    /**
     * The body, once. Reads block (call it on a virtual thread) until bytes arrive; the stream ends at the
     * body's end, and throws {@link IOException} when the client goes away before it or stalls too long:
     * a reader that sees an exception must publish nothing.
     */
    InputStream open() throws IOException;
}

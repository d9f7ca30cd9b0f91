package dev.cacheproxy.core.mode;

import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.path.RequestPath;

/**
 * One running instance of a mode. {@link #handle} is called on a virtual thread for every GET or HEAD
 * below the instance's mount (and for the other methods it {@link #accepts}); it may block. It returns a response value and never writes to a
 * channel. A path the mode does not accept is answered with a 400 or 404 document, never an exception.
 */
public interface ModeInstance extends AutoCloseable {
    ProxyResponse handle(ProxyRequest request);

    /**
     * Whether this instance answers {@code method} (other than GET and HEAD) at {@code path}: then the
     * server reads the request body (up to a bound) and passes the request to {@link #handle};
     * otherwise it answers 405 itself. Called on the event loop: must be a quick look at the path.
     */
    default boolean accepts(String method, RequestPath path) {
        return false;
    }

    /**
     * Whether a path segment of this protocol may hold an encoded slash ({@code %2F}): npm's scoped
     * names do, a generic file server's API may; OCI, Maven and the Linux repositories never do, and the
     * server answers such a request 400 before the mode sees it. See {@link RequestPath} for what is
     * refused in every mode (an encoded slash hiding an empty or dot segment).
     */
    default boolean allowsEncodedSlash() {
        return false;
    }

    /**
     * Called first, on the event loop: the answer if it is a cache hit known from memory (the hot index
     * says the entry is there and fresh; nothing but opening the blob touches the disk, nothing goes
     * upstream), otherwise empty, and {@link #handle} runs on a virtual thread. Must never block.
     * Modes opt in for their artifact paths; the default never answers.
     */
    default java.util.Optional<ProxyResponse> handleHit(ProxyRequest request) {
        return java.util.Optional.empty();
    }

    /**
     * Expiry cleanup, run in the background: removes this instance's entries that are past the
     * {@code expire_after} that applies to them; at most {@code batchSize}; a dry run only logs.
     * Returns the number removed (or that would be). Blocks; never called on an event loop.
     */
    default int removeExpired(int batchSize, boolean dryRun) throws java.io.IOException {
        return 0;
    }

    /**
     * Lines about the instance's state for the home page (the Linux repository modes list their roots,
     * each with its state, generation and last error); empty when there is nothing to say. Must not
     * block on the network.
     */
    default String status() {
        return "";
    }

    /** Client setup lines for the home page, given the instance's public URL. */
    default String clientSetup(String publicUrl) {
        return publicUrl;
    }

    @Override
    default void close() {}
}

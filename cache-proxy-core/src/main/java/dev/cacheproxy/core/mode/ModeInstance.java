package dev.cacheproxy.core.mode;

import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.path.RequestPath;
import java.io.IOException;
import java.util.List;

/**
 * One running instance of a mode. For every GET or HEAD below the instance's mount (and the other
 * methods it {@link #accepts}), the server calls {@link #route} once, on the event loop, and then
 * asks the returned {@link Route} for a hit (event loop) or an answer (virtual thread). A mode returns
 * response values and never writes to a channel; a path it does not accept is answered with a 400 or
 * 404 document, never an exception.
 */
public interface ModeInstance extends AutoCloseable {
    /**
     * Parses and matches the request: called once per request, on the event loop, so it must only look
     * at the path, the headers and memory (no disk, no upstream); whatever blocks belongs in
     * {@link Route#serve()}.
     */
    Route route(ProxyRequest request);

    /**
     * Whether this instance answers {@code method} (other than GET and HEAD) at {@code path}: then the
     * server reads the request body (up to a bound) and passes the request to {@link #route};
     * otherwise it answers 405 itself. Called on the event loop: must be a quick look at the path.
     */
    default boolean accepts(String method, RequestPath path) {
        return false;
    }

    /**
     * Whether the body of this request (a method it {@link #accepts}) is an upload the instance stores: then
     * the server does not read it into memory (nor bound it) but hands it over as it arrives,
     * {@link ProxyRequest#upload()}, paced by the instance's reading; and access rules treat the request as
     * a write even on an instance without an {@code access} block (anonymous clients may only read).
     * Called on the event loop: a quick look at the path.
     */
    default boolean streamsUpload(String method, RequestPath path) {
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
     * Expiry cleanup, run in the background: removes this instance's entries that are past the
     * {@code expire_after} that applies to them; at most {@code batchSize}; a dry run only logs.
     * Returns the number removed (or that would be). Blocks; never called on an event loop.
     */
    default int removeExpired(int batchSize, boolean dryRun) throws IOException {
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

    /** The instance's repository roots with their state and generation (Linux repository modes); must not block on the network. */
    default List<RootStatus> roots() {
        return List.of();
    }

    /**
     * Whether a request with {@code method} changes what the instance holds (an upload, a delete): access
     * rules give it to principals with write scope only. Reads by default are GET and HEAD; a mode whose
     * protocol reads with POST (npm's audit) says so.
     */
    default boolean writes(String method) {
        return !method.equals("GET") && !method.equals("HEAD");
    }

    /**
     * A request the instance's access rules refuse, in this protocol's words: 401 (with a challenge that
     * makes the client send its credentials) or 403. {@code realm} names the instance.
     */
    default ProxyResponse refused(int status, String reason, String realm) {
        ProxyResponse.Document d = ProxyResponse.Document.text(status, reason + "\n");
        return status == 401 ? d.withHeader("WWW-Authenticate", "Basic realm=\"" + realm + "\", charset=\"UTF-8\"") : d;
    }

    /** Client setup lines for the home page, given the instance's public URL. */
    default String clientSetup(String publicUrl) {
        return publicUrl;
    }

    @Override
    default void close() {}
}

package dev.cacheproxy.core.mode;

import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;

/**
 * One running instance of a mode. {@link #handle} is called on a virtual thread for every GET or HEAD
 * below the instance's mount; it may block. It returns a response value and never writes to a
 * channel. A path the mode does not accept is answered with a 400 or 404 document, never an exception.
 */
public interface ModeInstance extends AutoCloseable {
    ProxyResponse handle(ProxyRequest request);

    /** Client setup lines for the home page, given the instance's public URL. */
    default String clientSetup(String publicUrl) {
        return publicUrl;
    }

    @Override
    default void close() {}
}

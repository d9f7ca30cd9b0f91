package dev.cacheproxy.server.netty;

import java.time.Duration;

/** Sees every finished exchange: the access log and the HTTP metrics hang here. */
public interface RequestObserver {
    /** @param principal who the instance's access rules recognised ({@code anonymous} included), or null without rules */
    void completed(String client, String method, String uri, int status, long bytes, Duration duration, String instance,
            String cache, String principal, boolean aborted);
}

package dev.cacheproxy.core.upstream;

import dev.cacheproxy.core.http.Headers;
import java.util.Optional;

/**
 * How an instance authenticates to its upstream (registries with token flows, static credentials).
 * Credentials are only ever sent to the upstream's own host: {@link UpstreamClient} drops them on a
 * redirect to another host.
 */
public interface UpstreamAuth {
    /** No credentials at all. */
    UpstreamAuth NONE = new UpstreamAuth() {
        @Override
        public Optional<String> authorization(UpstreamRequest request) {
            return Optional.empty();
        }

        @Override
        public Answer challenged(UpstreamRequest request, Optional<String> sent, Headers response) {
            return new Answer.GiveUp();
        }
    };

    /**
     * One {@code Authorization} value sent with every request (cargo's bare registry token, a central build
     * cache's {@code Bearer} token); a challenge is not answered. Its text form never shows the value.
     */
    static UpstreamAuth fixed(String authorization) {
        return new Fixed(authorization);
    }

    /** See {@link #fixed}. */
    record Fixed(String authorization) implements UpstreamAuth {
        @Override
        public Optional<String> authorization(UpstreamRequest request) {
            return Optional.of(authorization);
        }

        @Override
        public Answer challenged(UpstreamRequest request, Optional<String> sent, Headers response) {
            return new Answer.GiveUp();
        }

        @Override
        public String toString() {
            return "Fixed[(set)]";
        }
    }

    /** The {@code Authorization} value to send with {@code request} before any challenge, if one is known. */
    Optional<String> authorization(UpstreamRequest request);

    /**
     * The upstream answered {@code request}, sent with the {@code Authorization} value {@code sent} (if
     * any), with 401 and these headers ({@code WWW-Authenticate}). Blocks (a token endpoint may be
     * asked); called once per request: the retry's answer is final.
     */
    Answer challenged(UpstreamRequest request, Optional<String> sent, Headers response);

    /** What to do about a challenge. */
    sealed interface Answer {
        /** Send the request again with this {@code Authorization} value. */
        record Retry(String authorization) implements Answer {}

        /** Keep the 401: nothing better can be sent. */
        record GiveUp() implements Answer {}

        /** The credentials could not be obtained (token endpoint down): treated like an unreachable upstream. */
        record Unavailable(String detail) implements Answer {}
    }
}

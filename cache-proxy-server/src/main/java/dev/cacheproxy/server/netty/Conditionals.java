package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.Headers;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Date;

/** Conditional-request checks (RFC 9110 §13) against the validators of a stored response. */
final class Conditionals {
    private Conditionals() {}

    /** Whether the client's copy is current: answer 304. */
    static boolean notModified(HttpHeaders request, Headers response) {
        String inm = request.get(HttpHeaderNames.IF_NONE_MATCH);
        String etag = response.get("etag");
        if (inm != null) {
            return etag != null && etagListMatches(inm, etag);
        }
        String ims = request.get(HttpHeaderNames.IF_MODIFIED_SINCE);
        String lm = response.get("last-modified");
        if (ims != null && lm != null) {
            Date since = DateFormatter.parseHttpDate(ims);
            Date modified = DateFormatter.parseHttpDate(lm);
            return since != null && modified != null && !modified.after(since);
        }
        return false;
    }

    /** Whether a {@code Range} may be honoured given {@code If-Range} (absent, or matching). */
    static boolean rangeAllowed(HttpHeaders request, Headers response) {
        String ifRange = request.get(HttpHeaderNames.IF_RANGE);
        if (ifRange == null) {
            return true;
        }
        String v = ifRange.trim();
        if (v.startsWith("\"") || v.startsWith("W/")) {
            String etag = response.get("etag");
            // If-Range needs a strong comparison.
            return etag != null && !v.startsWith("W/") && !etag.startsWith("W/") && v.equals(etag);
        }
        String lm = response.get("last-modified");
        return lm != null && v.equals(lm.trim());
    }

    private static boolean etagListMatches(String header, String etag) {
        String opaque = stripWeak(etag);
        for (String candidate : header.split(",")) {
            String c = candidate.trim();
            if (c.equals("*") || stripWeak(c).equals(opaque)) {
                return true; // If-None-Match uses the weak comparison
            }
        }
        return false;
    }

    private static String stripWeak(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }
}

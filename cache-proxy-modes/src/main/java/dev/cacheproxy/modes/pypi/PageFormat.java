package dev.cacheproxy.modes.pypi;

import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.QualityList;
import java.util.List;
import java.util.Locale;

/**
 * The forms an index page is served in (PEP 691), and the choice among them by the client's
 * {@code Accept}: the highest quality wins, HTML when nothing listed is offered (a client that sends
 * {@code Accept: *}{@code /*}, or none, gets HTML; never a 406).
 */
enum PageFormat {
    JSON("application/vnd.pypi.simple.v1+json", "application/vnd.pypi.simple.latest+json"),
    HTML_V1("application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.latest+html"),
    HTML("text/html", null);

    /** What the proxy asks the upstream for: JSON, which says the most, then either HTML. */
    static final String UPSTREAM_ACCEPT =
            "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

    private final String mediaType;
    private final String latest;

    PageFormat(String mediaType, String latest) {
        this.mediaType = mediaType;
        this.latest = latest;
    }

    /** The {@code Content-Type} of a page in this form. */
    String contentType() {
        return this == HTML ? "text/html; charset=utf-8" : mediaType;
    }

    boolean json() {
        return this == JSON;
    }

    /**
     * The form for a client's {@code Accept}: the highest quality among the forms it names itself (ties
     * go to JSON, then the versioned HTML type); JSON only when {@code jsonOffered}. A wildcard names no
     * form: {@code *}{@code /*} or no header at all gets plain HTML, which every client reads.
     */
    static PageFormat negotiate(Headers client, boolean jsonOffered) {
        List<String> accept = client.all("Accept");
        String named = String.join(",", accept).toLowerCase(Locale.ROOT);
        PageFormat best = HTML;
        double bestQ = 0;
        for (PageFormat f : values()) {
            if ((f == JSON && !jsonOffered) || !(named.contains(f.mediaType) || (f.latest != null && named.contains(f.latest)))) {
                continue;
            }
            double q = Math.max(QualityList.quality(accept, f.mediaType),
                    f.latest == null ? 0 : QualityList.quality(accept, f.latest));
            if (q > bestQ) {
                best = f;
                bestQ = q;
            }
        }
        return best;
    }
}

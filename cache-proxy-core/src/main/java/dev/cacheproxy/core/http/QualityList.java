package dev.cacheproxy.core.http;

import java.util.List;
import java.util.Locale;

/**
 * Reading {@code Accept}-style headers (RFC 9110 §12.4.2): a comma-separated list of tokens, each
 * with optional parameters, where {@code q=0} means "not acceptable". Used for content negotiation
 * (npm's abbreviated packuments, gzip).
 */
public final class QualityList {
    private QualityList() {}

    /** Whether {@code token} (case-insensitive, exact) is listed in any of the values with a non-zero quality. */
    public static boolean accepts(List<String> headerValues, String token) {
        for (String header : headerValues) {
            for (String part : header.split(",")) {
                String[] p = part.trim().split(";");
                if (!p[0].trim().toLowerCase(Locale.ROOT).equals(token)) {
                    continue;
                }
                for (int i = 1; i < p.length; i++) {
                    String param = p[i].trim();
                    if (param.startsWith("q=") && param.substring(2).trim().matches("0(\\.0{0,3})?")) {
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }
}

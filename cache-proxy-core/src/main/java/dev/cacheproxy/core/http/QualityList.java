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

    /**
     * The quality {@code mediaType} ({@code type/subtype}, lower case) gets from the values: its own entry,
     * else {@code type/*}, else {@code *}{@code /*}; 0 when none lists it (an absent header is the
     * caller's to interpret). Parameters other than {@code q} are ignored.
     */
    public static double quality(List<String> headerValues, String mediaType) {
        String wildcard = mediaType.substring(0, mediaType.indexOf('/') + 1) + "*";
        double exact = -1;
        double type = -1;
        double any = -1;
        for (String header : headerValues) {
            for (String part : header.split(",")) {
                String[] p = part.trim().split(";");
                String token = p[0].trim().toLowerCase(Locale.ROOT);
                double q = 1;
                for (int i = 1; i < p.length; i++) {
                    String param = p[i].trim();
                    if (param.startsWith("q=")) {
                        try {
                            q = Math.max(0, Math.min(1, Double.parseDouble(param.substring(2).trim())));
                        } catch (NumberFormatException e) {
                            q = 0;
                        }
                    }
                }
                if (token.equals(mediaType)) {
                    exact = Math.max(exact, q);
                } else if (token.equals(wildcard)) {
                    type = Math.max(type, q);
                } else if (token.equals("*/*")) {
                    any = Math.max(any, q);
                }
            }
        }
        return exact >= 0 ? exact : type >= 0 ? type : Math.max(any, 0);
    }
}

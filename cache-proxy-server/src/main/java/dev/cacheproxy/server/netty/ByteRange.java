package dev.cacheproxy.server.netty;

/**
 * The outcome of reading a {@code Range} header against a body of known length (RFC 9110 §14).
 * Only a single range is honoured; a multi-range request is answered with the whole body, which the
 * RFC allows and every client handles.
 */
sealed interface ByteRange {
    /** Serve everything (no Range, an unparsable one, or several ranges). */
    record Whole() implements ByteRange {}

    /** Serve bytes {@code first..last} inclusive with 206. */
    record Part(long first, long last) implements ByteRange {
        long length() {
            return last - first + 1;
        }
    }

    /** 416: no byte of the range exists. */
    record Unsatisfiable() implements ByteRange {}

    static ByteRange parse(String header, long size) {
        if (header == null) {
            return new Whole();
        }
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return new Whole();
        }
        String spec = h.substring(6).trim();
        if (spec.contains(",")) {
            return new Whole();
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Whole();
        }
        try {
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            if (a.isEmpty()) {
                if (b.isEmpty()) {
                    return new Whole();
                }
                long suffix = Long.parseLong(b);
                if (suffix <= 0 || size == 0) {
                    return new Unsatisfiable();
                }
                return new Part(Math.max(0, size - suffix), size - 1);
            }
            long first = Long.parseLong(a);
            if (first < 0 || (!b.isEmpty() && Long.parseLong(b) < first)) {
                return new Whole(); // syntactically invalid: ignore the header (RFC 9110 §14.2)
            }
            if (first >= size) {
                return new Unsatisfiable(); // "bytes=N-" past the end too: curl -C - on a complete file
            }
            long last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
            return new Part(first, last);
        } catch (NumberFormatException e) {
            return new Whole();
        }
    }
}

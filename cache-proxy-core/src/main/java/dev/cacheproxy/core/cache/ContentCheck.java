package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.http.Headers;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What an upstream body must plausibly look like to be stored under a key when no digest vouches for
 * it (no metadata named one yet, no checksum header): a captive portal's or a misconfigured
 * upstream's {@code 200 text/html} must not become an immutable artifact. The engine applies it only
 * to bodies it cannot verify; a refused body is never stored and the client's download is cut, as on
 * a digest mismatch.
 *
 * @param what what the key holds, for the refusal message ("an npm tarball")
 * @param refuseHtml refuse a {@code text/html} answer and a body that starts like an HTML page
 * @param magic the bytes the body must start with (empty for none)
 * @param wholeBody a pattern the whole body must match (for small sidecars), or null; a body longer
 *     than {@link #SNIFF_BYTES} is then refused
 */
public record ContentCheck(String what, boolean refuseHtml, byte[] magic, Pattern wholeBody) {
    /** How many leading bytes {@link #refusesStart} looks at. */
    public static final int SNIFF_BYTES = 1024;
    public static final ContentCheck NONE = new ContentCheck("", false, new byte[0], null);
    private static final Pattern HTML_START = Pattern.compile("(?is)\\A\\s*<(!doctype\\s+html|html|head|body)\\b.*");

    /** Any artifact: not an HTML page. */
    public static ContentCheck artifact(String what) {
        return new ContentCheck(what, true, new byte[0], null);
    }

    /** A gzip stream (npm tarballs). */
    public static ContentCheck gzip(String what) {
        return new ContentCheck(what, true, new byte[] {0x1f, (byte) 0x8b}, null);
    }

    /** A checksum sidecar: a hex digest of {@code hexLength} characters, optionally followed by a file name. */
    public static ContentCheck hexDigest(String what, int hexLength) {
        return new ContentCheck(what, true, new byte[0],
                Pattern.compile("(?s)\\A\\s*[0-9a-fA-F]{" + hexLength + "}(\\s.*)?\\z"));
    }

    boolean isNone() {
        return !refuseHtml && magic.length == 0 && wholeBody == null;
    }

    /** Why an answer with these headers cannot be {@link #what}, before its body is read. */
    Optional<String> refusesHeaders(Headers response) {
        String type = response.first("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (refuseHtml && (type.startsWith("text/html") || type.startsWith("application/xhtml"))) {
            return Optional.of("the upstream answered " + type + ", which cannot be " + what);
        }
        return Optional.empty();
    }

    /** How many leading bytes {@link #refusesStart} needs. */
    int sniffLength() {
        return isNone() ? 0 : SNIFF_BYTES;
    }

    /**
     * Why a body that starts with {@code start} cannot be {@link #what}; {@code complete} says whether
     * {@code start} is the whole body.
     */
    Optional<String> refusesStart(byte[] start, int length, boolean complete) {
        if (length < magic.length) {
            return complete ? Optional.of("the body is too short to be " + what) : Optional.empty();
        }
        for (int i = 0; i < magic.length; i++) {
            if (start[i] != magic[i]) {
                return Optional.of("the body does not start as " + what + " does");
            }
        }
        String text = new String(start, 0, length, StandardCharsets.ISO_8859_1);
        if (refuseHtml && HTML_START.matcher(text).matches()) {
            return Optional.of("the body is an HTML page, not " + what);
        }
        if (wholeBody != null && (!complete || !wholeBody.matcher(text).matches())) {
            return Optional.of("the body is not " + what);
        }
        return Optional.empty();
    }
}

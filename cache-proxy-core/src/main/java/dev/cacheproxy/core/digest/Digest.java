package dev.cacheproxy.core.digest;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A content digest: algorithm and lower-case hex value, validated on construction. The text form is
 * {@code algorithm:hex}, as in OCI; {@link DigestEncodings} reads and writes the other encodings
 * (base64, SRI, Nix base32).
 */
public record Digest(DigestAlgorithm algorithm, String hex) {
    public Digest {
        hex = hex.toLowerCase(Locale.ROOT);
        if (hex.length() != algorithm.hexLength()
                || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("not a " + algorithm + " hex digest: " + hex);
        }
    }

    /** By the algorithm's name ({@code sha256}, {@code SHA-256}); unknown names are refused. */
    public Digest(String algorithm, String hex) {
        this(DigestAlgorithm.parse(algorithm), hex);
    }

    public static Digest sha256(String hex) {
        return new Digest(DigestAlgorithm.SHA256, hex);
    }

    /** The SHA-256 of {@code text}'s UTF-8 bytes (file names for keys). */
    public static Digest sha256Of(String text) {
        return of(DigestAlgorithm.SHA256,
                DigestAlgorithm.SHA256.newMessageDigest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static Digest of(DigestAlgorithm algorithm, byte[] bytes) {
        return new Digest(algorithm, HexFormat.of().formatHex(bytes));
    }

    public static Digest of(String algorithm, byte[] bytes) {
        return of(DigestAlgorithm.parse(algorithm), bytes);
    }

    /** Parses {@code algorithm:hex}. */
    public static Digest parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not a digest (expected algorithm:hex): " + text);
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    /** The raw digest bytes. */
    public byte[] bytes() {
        return HexFormat.of().parseHex(hex);
    }

    @Override
    public String toString() {
        return algorithm.label() + ":" + hex;
    }
}

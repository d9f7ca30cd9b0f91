package dev.cacheproxy.core.digest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A content digest: algorithm ({@code sha256}, {@code sha512}, {@code sha1}, {@code md5}) and lower-case
 * hex value, validated on construction. The text form is {@code algorithm:hex}, as in OCI.
 */
public record Digest(String algorithm, String hex) {
    public Digest {
        algorithm = algorithm.toLowerCase(Locale.ROOT);
        hex = hex.toLowerCase(Locale.ROOT);
        int expected = switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            case "sha1" -> 40;
            case "md5" -> 32;
            default -> throw new IllegalArgumentException("unsupported digest algorithm: " + algorithm);
        };
        if (hex.length() != expected || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("not a " + algorithm + " hex digest: " + hex);
        }
    }

    public static Digest sha256(String hex) {
        return new Digest("sha256", hex);
    }

    /** The SHA-256 of {@code text}'s UTF-8 bytes (file names for keys). */
    public static Digest sha256Of(String text) {
        try {
            return of("sha256", MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Digest of(String algorithm, byte[] bytes) {
        return new Digest(algorithm, HexFormat.of().formatHex(bytes));
    }

    /** Parses {@code algorithm:hex}. */
    public static Digest parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not a digest (expected algorithm:hex): " + text);
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    /** The {@link java.security.MessageDigest} algorithm name. */
    public String javaAlgorithm() {
        return switch (algorithm) {
            case "sha256" -> "SHA-256";
            case "sha512" -> "SHA-512";
            case "sha1" -> "SHA-1";
            case "md5" -> "MD5";
            default -> throw new IllegalStateException(algorithm);
        };
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}

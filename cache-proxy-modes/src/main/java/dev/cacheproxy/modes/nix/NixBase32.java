package dev.cacheproxy.modes.nix;

import dev.cacheproxy.core.digest.Digest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Nix's base-32 ("nix32"): the alphabet without e, o, t and u, and the digest's bits emitted from the end.
 * A plain RFC 4648 base32 does not match it. Store path hashes are 20 bytes (32 characters), SHA-256
 * digests 32 bytes (52 characters).
 */
final class NixBase32 {
    static final String ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz";

    private NixBase32() {}

    /** How many characters {@code bytes} bytes take. */
    static int length(int bytes) {
        return (bytes * 8 - 1) / 5 + 1;
    }

    static String encode(byte[] hash) {
        int len = length(hash.length);
        StringBuilder s = new StringBuilder(len);
        for (int n = len - 1; n >= 0; n--) {
            int b = n * 5;
            int i = b / 8;
            int j = b % 8;
            int c = (hash[i] & 0xff) >> j;
            if (i < hash.length - 1) {
                c |= (hash[i + 1] & 0xff) << (8 - j);
            }
            s.append(ALPHABET.charAt(c & 0x1f));
        }
        return s.toString();
    }

    /** The {@code bytes}-byte value {@code text} encodes, or empty when it is not one (length, alphabet, spare bits). */
    static Optional<byte[]> decode(String text, int bytes) {
        if (text.length() != length(bytes)) {
            return Optional.empty();
        }
        byte[] hash = new byte[bytes];
        for (int n = 0; n < text.length(); n++) {
            int digit = ALPHABET.indexOf(text.charAt(text.length() - n - 1));
            if (digit < 0) {
                return Optional.empty();
            }
            int b = n * 5;
            int i = b / 8;
            int j = b % 8;
            hash[i] |= (byte) (digit << j);
            int carry = digit >> (8 - j);
            if (i < bytes - 1) {
                hash[i + 1] |= (byte) carry;
            } else if (carry != 0) {
                return Optional.empty();
            }
        }
        return Optional.of(hash);
    }

    /** The SHA-256 digest a 52-character nix32 text names (a NAR file's name); {@code text} must be one. */
    static Digest sha256(String text) {
        return Digest.sha256(HexFormat.of().formatHex(decode(text, 32).orElseThrow(
                () -> new IllegalArgumentException("not a nix32 SHA-256: " + text))));
    }

    /** Whether {@code text} is a store path hash (32 characters of the alphabet). */
    static boolean isStorePathHash(String text) {
        return decode(text, 20).isPresent();
    }
}

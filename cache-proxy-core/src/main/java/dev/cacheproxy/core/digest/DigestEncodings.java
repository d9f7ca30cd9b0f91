package dev.cacheproxy.core.digest;

import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * The spellings of a digest that package metadata uses besides hex: base64 (apk's control checksums),
 * Subresource Integrity ({@code sha512-<base64>}: npm's {@code dist.integrity}, PEP 691 hashes), and
 * Nix's own base32 ({@code 0mdqa9w1...}: narinfo's {@code FileHash}/{@code NarHash}). Each parser
 * returns a {@link Digest} (hex inside), so that verification never depends on the spelling.
 */
public final class DigestEncodings {
    private static final String NIX32 = "0123456789abcdfghijklmnpqrsvwxyz";

    private DigestEncodings() {}

    /** {@code algorithm} digest given in base64 (standard alphabet, padded or not). */
    public static Digest fromBase64(DigestAlgorithm algorithm, String base64) {
        return Digest.of(algorithm, Base64.getDecoder().decode(base64.trim()));
    }

    public static String toBase64(Digest d) {
        return Base64.getEncoder().encodeToString(d.bytes());
    }

    /**
     * One SRI token ({@code sha512-<base64>}, options after {@code ?} ignored); empty for an algorithm we
     * do not verify (sha384) or a malformed value, which verify nothing rather than fail.
     */
    public static Optional<Digest> fromSri(String sri) {
        int dash = sri.indexOf('-');
        if (dash < 0) {
            return Optional.empty();
        }
        String alg = sri.substring(0, dash).toLowerCase(Locale.ROOT);
        String b64 = sri.substring(dash + 1);
        int opts = b64.indexOf('?');
        if (opts >= 0) {
            b64 = b64.substring(0, opts);
        }
        if (!alg.equals("sha512") && !alg.equals("sha256") && !alg.equals("sha1")) {
            return Optional.empty();
        }
        try {
            return Optional.of(fromBase64(DigestAlgorithm.parse(alg), b64));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@code algorithm} digest in Nix's base32 (its alphabet and its byte order). */
    public static Digest fromNix32(DigestAlgorithm algorithm, String text) {
        int size = algorithm.bytes();
        if (text.length() != nix32Length(size)) {
            throw new IllegalArgumentException("not a nix base32 " + algorithm + " digest: " + text);
        }
        byte[] bytes = new byte[size];
        for (int n = 0; n < text.length(); n++) {
            int c = NIX32.indexOf(text.charAt(text.length() - n - 1));
            if (c < 0) {
                throw new IllegalArgumentException("not a nix base32 character in " + text);
            }
            int b = n * 5;
            int i = b / 8;
            int j = b % 8;
            bytes[i] |= (byte) (c << j);
            int carry = c >> (8 - j);
            if (i + 1 < size) {
                bytes[i + 1] |= (byte) carry;
            } else if (carry != 0) {
                throw new IllegalArgumentException("nix base32 value out of range: " + text);
            }
        }
        return Digest.of(algorithm, bytes);
    }

    public static String toNix32(Digest d) {
        byte[] hash = d.bytes();
        int len = nix32Length(hash.length);
        StringBuilder s = new StringBuilder(len);
        for (int n = len - 1; n >= 0; n--) {
            int b = n * 5;
            int i = b / 8;
            int j = b % 8;
            int c = ((hash[i] & 0xff) >> j) | (i >= hash.length - 1 ? 0 : (hash[i + 1] & 0xff) << (8 - j));
            s.append(NIX32.charAt(c & 0x1f));
        }
        return s.toString();
    }

    private static int nix32Length(int bytes) {
        return (bytes * 8 - 1) / 5 + 1;
    }
}

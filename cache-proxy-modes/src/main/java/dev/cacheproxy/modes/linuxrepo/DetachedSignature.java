package dev.cacheproxy.modes.linuxrepo;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * A binary OpenPGP detached signature (version 4, over a binary document), read far enough to tell
 * whether it was made over a given file: every v4 signature carries the first two bytes of the hash it
 * signs. The proxy holds no keys and checks no signature (clients do); this only tells a database and
 * a signature of two publications apart, which is what a client would fail on after fetching them
 * mid-publish (pacman's PM1). Two bytes: a mismatch is certain, a match is what a pair gives (and a
 * stranger 1 time in 65,536).
 */
public final class DetachedSignature {
    private static final int SIGNATURE_TAG = 2;
    private static final int BINARY_DOCUMENT = 0x00;

    private final String hashAlgorithm;
    private final byte[] hashedPart;
    private final byte[] left16;

    private DetachedSignature(String hashAlgorithm, byte[] hashedPart, byte[] left16) {
        this.hashAlgorithm = hashAlgorithm;
        this.hashedPart = hashedPart;
        this.left16 = left16;
    }

    /**
     * The signature in {@code bytes}, when it is one this can check (a v4 signature of a binary document
     * with a known hash); empty otherwise (armored, another version or type), and then nothing is judged.
     */
    public static Optional<DetachedSignature> read(byte[] bytes) {
        if (bytes.length < 2 || (bytes[0] & 0x80) == 0) {
            return Optional.empty();
        }
        int tag;
        int at;
        int first = bytes[0] & 0xff;
        if ((first & 0x40) != 0) { // new format: tag, then a one-, two- or five-byte length
            tag = first & 0x3f;
            int l = bytes[1] & 0xff;
            at = l < 192 ? 2 : l < 224 ? 3 : l == 255 ? 6 : -1;
        } else { // old format: tag and length type in the first byte
            tag = (first >> 2) & 0x0f;
            int lengthType = first & 3;
            at = lengthType == 0 ? 2 : lengthType == 1 ? 3 : lengthType == 2 ? 5 : 1;
        }
        if (tag != SIGNATURE_TAG || at < 0 || bytes.length < at + 6 || bytes[at] != 4
                || (bytes[at + 1] & 0xff) != BINARY_DOCUMENT) {
            return Optional.empty();
        }
        String hash = switch (bytes[at + 3] & 0xff) {
            case 2 -> "SHA-1";
            case 8 -> "SHA-256";
            case 9 -> "SHA-384";
            case 10 -> "SHA-512";
            case 11 -> "SHA-224";
            default -> null;
        };
        int hashedLength = ((bytes[at + 4] & 0xff) << 8) | (bytes[at + 5] & 0xff);
        int unhashedAt = at + 6 + hashedLength;
        if (hash == null || bytes.length < unhashedAt + 2) {
            return Optional.empty();
        }
        int unhashedLength = ((bytes[unhashedAt] & 0xff) << 8) | (bytes[unhashedAt + 1] & 0xff);
        int left16At = unhashedAt + 2 + unhashedLength;
        if (bytes.length < left16At + 2) {
            return Optional.empty();
        }
        byte[] hashed = java.util.Arrays.copyOfRange(bytes, at, unhashedAt);
        return Optional.of(new DetachedSignature(hash, hashed, new byte[] {bytes[left16At], bytes[left16At + 1]}));
    }

    /** Whether this signature's hash, computed over {@code document} (read to its end, not closed), starts as it says. */
    public boolean madeOver(InputStream document) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(hashAlgorithm);
        } catch (NoSuchAlgorithmException e) {
            return true; // nothing to judge with
        }
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = document.read(buf)) > 0; ) {
            md.update(buf, 0, n);
        }
        md.update(hashedPart);
        int n = hashedPart.length;
        md.update(new byte[] {4, (byte) 0xff, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        byte[] digest = md.digest();
        return digest[0] == left16[0] && digest[1] == left16[1];
    }
}

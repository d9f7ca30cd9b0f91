package dev.cacheproxy.core.digest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The hash functions registries publish digests in. The label is the lower-case name the protocols
 * write ({@code sha256:…} in OCI, {@code SHA256:} sections in Release files, {@code sha512-} in SRI).
 */
public enum DigestAlgorithm {
    MD5("md5", "MD5", 16),
    SHA1("sha1", "SHA-1", 20),
    SHA256("sha256", "SHA-256", 32),
    SHA512("sha512", "SHA-512", 64);

    private final String label;
    private final String javaName;
    private final int bytes;
    /**
     * Looked up once and never updated: {@link #newMessageDigest} hands out clones of it. A clone copies a few
     * arrays; {@code MessageDigest.getInstance} walks the provider list and its algorithm constraints, a
     * long path a just-started process runs interpreted for every fill, upload and hit (issue 20).
     */
    private volatile MessageDigest prototype;

    DigestAlgorithm(String label, String javaName, int bytes) {
        this.label = label;
        this.javaName = javaName;
        this.bytes = bytes;
    }

    /** {@code sha256}, {@code SHA-256} or {@code SHA256}, in any case. */
    public static DigestAlgorithm parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace("-", "");
        for (DigestAlgorithm a : values()) {
            if (a.label.equals(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unsupported digest algorithm: " + name);
    }

    /** The name the protocols write: {@code sha256}. */
    public String label() {
        return label;
    }

    /** Length of a digest in bytes. */
    public int bytes() {
        return bytes;
    }

    /** Length of a digest in hex digits. */
    public int hexLength() {
        return bytes * 2;
    }

    /** A fresh digest of this algorithm, for one thread. */
    public MessageDigest newMessageDigest() {
        MessageDigest p = prototype;
        if (p == null) {
            p = lookUp();
            prototype = p; // a race makes two lookups, both fine
        }
        try {
            return (MessageDigest) p.clone();
        } catch (CloneNotSupportedException e) {
            return lookUp(); // the JDK's own providers clone; another one first in the list may not
        }
    }

    private MessageDigest lookUp() {
        try {
            return MessageDigest.getInstance(javaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has " + javaName, e);
        }
    }

    @Override
    public String toString() {
        return label;
    }
}

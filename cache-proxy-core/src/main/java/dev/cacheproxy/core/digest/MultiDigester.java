package dev.cacheproxy.core.digest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes SHA-256 (the store's address) and any further algorithms an expected digest needs, in one
 * pass over streamed bytes, so that verification costs no second read.
 */
public final class MultiDigester {
    private final Map<String, MessageDigest> digests = new LinkedHashMap<>();
    private final List<Digest> expected;

    public MultiDigester(List<Digest> expected) {
        this.expected = List.copyOf(expected);
        add("sha256");
        for (Digest d : expected) {
            add(d.algorithm());
        }
    }

    private void add(String algorithm) {
        digests.computeIfAbsent(algorithm, a -> {
            try {
                return MessageDigest.getInstance(new Digest(a, "0".repeat(hexLength(a))).javaAlgorithm());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static int hexLength(String algorithm) {
        return switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            case "sha1" -> 40;
            default -> 32;
        };
    }

    public void update(ByteBuffer buffer) {
        for (MessageDigest md : digests.values()) {
            md.update(buffer.duplicate());
        }
    }

    /** Feeds the rest of {@code in} to every digest (a stored blob read again). */
    public void update(InputStream in) throws IOException {
        byte[] buf = new byte[256 * 1024];
        for (int n; (n = in.read(buf)) >= 0; ) {
            update(ByteBuffer.wrap(buf, 0, n));
        }
    }

    /** Finishes every digest and returns them by algorithm ({@code sha256} always among them). */
    public Map<String, Digest> finish() {
        Map<String, Digest> actual = new LinkedHashMap<>();
        digests.forEach((a, md) -> actual.put(a, Digest.of(a, md.digest())));
        return actual;
    }

    /** Finishes every digest, checks the expected ones and returns the SHA-256. */
    public Digest finishAndVerify() throws DigestMismatchException {
        Map<String, Digest> actual = finish();
        for (Digest want : expected) {
            Digest got = actual.get(want.algorithm());
            if (!got.equals(want)) {
                throw new DigestMismatchException(want, got);
            }
        }
        return actual.get("sha256");
    }
}

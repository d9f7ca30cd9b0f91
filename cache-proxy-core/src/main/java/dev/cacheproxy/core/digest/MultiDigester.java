package dev.cacheproxy.core.digest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes SHA-256 (the store's address) and any further algorithms an expected digest needs, in one
 * pass over streamed bytes, so that verification costs no second read.
 */
public final class MultiDigester {
    private final Map<DigestAlgorithm, MessageDigest> digests = new LinkedHashMap<>();
    private final List<Digest> expected;

    public MultiDigester(List<Digest> expected) {
        this.expected = List.copyOf(expected);
        add(DigestAlgorithm.SHA256);
        for (Digest d : expected) {
            add(d.algorithm());
        }
    }

    private void add(DigestAlgorithm algorithm) {
        digests.computeIfAbsent(algorithm, DigestAlgorithm::newMessageDigest);
    }

    public void update(ByteBuffer buffer) {
        for (MessageDigest md : digests.values()) {
            md.update(buffer.duplicate());
        }
    }

    /**
     * Hashes a few MiB of zeros the way fills hash (direct buffers of 1 MiB), so that the JIT has compiled
     * SHA-256 (its intrinsic) before the first fill: otherwise a just-started process hashes its first
     * MiB at about 40 MB/s, interpreted, against 1.3 GB/s once compiled. About 30 ms of one core; the
     * server runs it on a virtual thread as it starts.
     */
    public static void warmUp() {
        ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        MultiDigester d = new MultiDigester(List.of());
        for (int i = 0; i < 4; i++) {
            d.update(zeros.duplicate());
        }
        d.finish();
    }

    /** Feeds the rest of {@code in} to every digest (a stored blob read again). */
    public void update(InputStream in) throws IOException {
        byte[] buf = new byte[256 * 1024];
        for (int n; (n = in.read(buf)) >= 0; ) {
            update(ByteBuffer.wrap(buf, 0, n));
        }
    }

    /** Finishes every digest and returns them by algorithm (SHA-256 always among them). */
    public Map<DigestAlgorithm, Digest> finish() {
        Map<DigestAlgorithm, Digest> actual = new LinkedHashMap<>();
        digests.forEach((a, md) -> actual.put(a, Digest.of(a, md.digest())));
        return actual;
    }

    /** Finishes every digest, checks the expected ones and returns the SHA-256. */
    public Digest finishAndVerify() throws DigestMismatchException {
        Map<DigestAlgorithm, Digest> actual = finish();
        for (Digest want : expected) {
            Digest got = actual.get(want.algorithm());
            if (!got.equals(want)) {
                throw new DigestMismatchException(want, got);
            }
        }
        return actual.get(DigestAlgorithm.SHA256);
    }
}

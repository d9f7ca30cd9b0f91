package dev.cacheproxy.core.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.digest.DigestMismatchException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A body passed through unstored keeps its last byte until its digests matched. */
class VerifyingStreamTest {
    private static final byte[] BODY = "a body that is passed through, not stored".getBytes();

    private static Digest sha256(byte[] b) {
        return Digest.of(DigestAlgorithm.SHA256, DigestAlgorithm.SHA256.newMessageDigest().digest(b));
    }

    @Test
    void aMatchingBodyReadsWhole_inAnyChunkSize() throws IOException {
        for (int chunk : new int[] {1, 2, 7, 64, 8192}) {
            assertArrayEquals(BODY, readAll(new VerifyingStream(new ByteArrayInputStream(BODY), List.of(sha256(BODY))), chunk),
                    "chunks of " + chunk);
        }
        assertArrayEquals(new byte[0], readAll(new VerifyingStream(InputStream.nullInputStream(), List.of()), 8));
    }

    @Test
    void aMismatchWithholdsTheLastByte() throws IOException {
        byte[] other = BODY.clone();
        other[3] ^= 1;
        for (int chunk : new int[] {1, 5, 8192}) {
            VerifyingStream in = new VerifyingStream(new ByteArrayInputStream(other), List.of(sha256(BODY)));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[chunk];
            assertThrows(DigestMismatchException.class, () -> {
                int n;
                while ((n = in.read(buf, 0, buf.length)) >= 0) {
                    got.write(buf, 0, n);
                }
            });
            assertEquals(other.length - 1, got.size(), "everything but the last byte, in chunks of " + chunk);
        }
    }

    private static byte[] readAll(InputStream in, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[chunk];
        int n;
        while ((n = in.read(buf, 0, chunk)) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}

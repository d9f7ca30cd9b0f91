package dev.cacheproxy.core.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DigestAlgorithmTest {
    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @ParameterizedTest
    @CsvSource({
        "MD5, 900150983cd24fb0d6963f7d28e17f72",
        "SHA1, a9993e364706816aba3e25717850c26c9cd0d89d",
        "SHA256, ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "SHA512, ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    })
    void eachDigestIsTheAlgorithmsOwn(DigestAlgorithm algorithm, String abc) {
        MessageDigest md = algorithm.newMessageDigest();
        assertEquals(abc, hex(md.digest("abc".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(algorithm.bytes(), md.getDigestLength());
    }

    @Test
    void digestsHandedOutShareNoState() {
        MessageDigest first = DigestAlgorithm.SHA256.newMessageDigest();
        first.update("left over".getBytes(StandardCharsets.US_ASCII)); // never finished
        MessageDigest second = DigestAlgorithm.SHA256.newMessageDigest();
        assertNotSame(first, second);
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                hex(second.digest("abc".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(hex(DigestAlgorithm.SHA256.newMessageDigest().digest("left over".getBytes(StandardCharsets.US_ASCII))),
                hex(first.digest()));
    }

    @Test
    void threadsHashingAtOnceGetTheirOwnDigests() throws Exception {
        byte[] data = new byte[1 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        String expected = hex(DigestAlgorithm.SHA256.newMessageDigest().digest(data));
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                results.add(pool.submit(() -> {
                    MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
                    for (int off = 0; off < data.length; off += 4096) {
                        md.update(data, off, 4096);
                    }
                    return hex(md.digest());
                }));
            }
            for (Future<String> r : results) {
                assertEquals(expected, r.get());
            }
        }
    }
}

package dev.cacheproxy.core.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.MessageDigest;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DigestEncodingsTest {
    /** SHA-256 of the empty string in every spelling (the nix32 one as Nix prints it). */
    private static final Digest EMPTY = Digest.sha256("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    @Test
    void nix32_matchesNix_andRoundTrips() throws Exception {
        assertEquals("0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73", DigestEncodings.toNix32(EMPTY));
        assertEquals(EMPTY, DigestEncodings.fromNix32(DigestAlgorithm.SHA256, "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73"));
        Digest sha512 = Digest.of("sha512", MessageDigest.getInstance("SHA-512").digest("round trip".getBytes()));
        assertEquals(sha512, DigestEncodings.fromNix32(DigestAlgorithm.SHA512, DigestEncodings.toNix32(sha512)));
        Digest sha1 = Digest.of("sha1", MessageDigest.getInstance("SHA-1").digest("x".getBytes()));
        assertEquals(sha1, DigestEncodings.fromNix32(DigestAlgorithm.SHA1, DigestEncodings.toNix32(sha1)));
        assertThrows(IllegalArgumentException.class, () -> DigestEncodings.fromNix32(DigestAlgorithm.SHA256, "e3b0"));
        assertThrows(IllegalArgumentException.class,
                () -> DigestEncodings.fromNix32(DigestAlgorithm.SHA256, "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c7e"));
    }

    @Test
    void base64AndSri() {
        assertEquals("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", DigestEncodings.toBase64(EMPTY));
        assertEquals(EMPTY, DigestEncodings.fromBase64(DigestAlgorithm.SHA256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="));
        assertEquals(Optional.of(EMPTY), DigestEncodings.fromSri("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="));
        assertEquals(Optional.of(EMPTY), DigestEncodings.fromSri("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=?opt"));
        assertEquals(Optional.empty(), DigestEncodings.fromSri("sha384-abc"));
        assertEquals(Optional.empty(), DigestEncodings.fromSri("sha256-not*base64"));
        assertEquals(Optional.empty(), DigestEncodings.fromSri("nodash"));
    }
}

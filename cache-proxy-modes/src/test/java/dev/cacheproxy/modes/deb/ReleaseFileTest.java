package dev.cacheproxy.modes.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReleaseFileTest {
    private static final String A = "a".repeat(64);
    private static final String B = "B".repeat(64);
    private static final String RELEASE = """
            Origin: Debian
            Suite: stable
            Date: Sat, 14 Nov 2026 09:30:01 UTC
            Valid-Until: Sat, 21 Nov 2026 09:30:01 UTC
            Acquire-By-Hash: yes
            MD5Sum:
             0123456789abcdef0123456789abcdef     1234 main/binary-amd64/Packages
            SHA256:
             %s     1234 main/binary-amd64/Packages
             %s      567 main/binary-amd64/Packages.xz
            """.formatted(A, B);

    @Test
    void plainRelease_sha256List_byHash_validUntil() throws Exception {
        ReleaseFile r = ReleaseFile.parse(RELEASE);
        assertEquals(2, r.sha256().size());
        assertEquals(new ReleaseFile.Listed(1234, A), r.sha256().get("main/binary-amd64/Packages"));
        assertEquals(new ReleaseFile.Listed(567, "b".repeat(64)), r.sha256().get("main/binary-amd64/Packages.xz"));
        assertTrue(r.acquireByHash());
        assertEquals(Optional.of(Instant.parse("2026-11-21T09:30:01Z")), r.validUntil());
    }

    @Test
    void clearSignedInRelease_isUnwrapped() throws Exception {
        String signed = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
                + RELEASE.replace("Origin: Debian", "- Origin: Debian")
                + "-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEE\n-----END PGP SIGNATURE-----\n";
        ReleaseFile r = ReleaseFile.parse(signed);
        assertEquals(ReleaseFile.parse(RELEASE), r);
        assertTrue(ReleaseFile.stripClearSignature(signed).startsWith("Origin: Debian\n"), "dash-escaping undone");
    }

    @Test
    void withoutSha256_orByHash() throws Exception {
        ReleaseFile r = ReleaseFile.parse("Origin: x\nMD5Sum:\n 0123456789abcdef0123456789abcdef 1 Packages\n");
        assertTrue(r.sha256().isEmpty());
        assertFalse(r.acquireByHash());
        assertEquals(Optional.empty(), r.validUntil());
    }
}

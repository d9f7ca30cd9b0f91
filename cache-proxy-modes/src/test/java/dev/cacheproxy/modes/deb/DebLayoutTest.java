package dev.cacheproxy.modes.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.modes.linuxrepo.PathKind;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DebLayoutTest {
    private final DebLayout layout = new DebLayout();
    private static final String H = "a".repeat(64);

    @Test
    void rootFiles_discoverDistributionAndFlatRoots() {
        assertEquals(new PathKind.Metadata("debian/dists/bookworm", true, null),
                layout.classify("debian/dists/bookworm/InRelease"));
        assertEquals(new PathKind.Metadata("dists/bookworm-updates", true, null),
                layout.classify("dists/bookworm-updates/Release.gpg"));
        assertEquals(new PathKind.Metadata("debian-security/dists/bookworm-security", true, null),
                layout.classify("debian-security/dists/bookworm-security/Release"));
        assertEquals(new PathKind.Metadata("repos/flat", true, null), layout.classify("repos/flat/Packages.gz"));
        assertEquals(new PathKind.Metadata("repos/flat", true, null), layout.classify("repos/flat/InRelease"));
    }

    @Test
    void indexes_belongToTheirDistribution_andNameTheirIndexDirectory() {
        assertEquals(new PathKind.Metadata("debian/dists/bookworm", false, "main/binary-amd64"),
                layout.classify("debian/dists/bookworm/main/binary-amd64/Packages.xz"));
        assertEquals(new PathKind.Metadata("dists/sid", false, "main/source"),
                layout.classify("dists/sid/main/source/Sources.gz"));
        assertEquals(new PathKind.Metadata("dists/sid", false, "main/debian-installer/binary-arm64"),
                layout.classify("dists/sid/main/debian-installer/binary-arm64/Packages"));
    }

    @Test
    void byHash_isContentAddressed_withItsAlgorithm() {
        assertEquals(new PathKind.ByHash(Digest.sha256(H), "debian/dists/bookworm", "main/binary-amd64"),
                layout.classify("debian/dists/bookworm/main/binary-amd64/by-hash/SHA256/" + H));
        assertEquals(new PathKind.ByHash(new Digest("md5", "b".repeat(32)), "dists/x", null),
                layout.classify("dists/x/main/i18n/by-hash/MD5Sum/" + "b".repeat(32)));
        assertEquals(new PathKind.Unknown(), layout.classify("dists/x/main/binary-amd64/by-hash/SHA256/nothex"));
        assertEquals(new PathKind.Unknown(), layout.classify("dists/x/main/binary-amd64/by-hash/SHA3/" + H));
    }

    @Test
    void packages_auxiliaries_andUnknown() {
        assertEquals(new PathKind.Artifact(), layout.classify("debian/pool/main/h/hello/hello_2.10-3_amd64.deb"));
        assertEquals(new PathKind.Artifact(), layout.classify("pool/main/h/hello/hello_2.10.orig.tar.gz"));
        assertEquals(new PathKind.Artifact(), layout.classify("pool/main/h/hello/hello_2.10-3.debian.tar.xz"));
        assertEquals(new PathKind.Artifact(), layout.classify("pool/main/n/native/native_1.0.tar.xz"), "all of pool/");
        assertEquals(new PathKind.Artifact(), layout.classify("repos/flat/tool_1.0_all.deb"), "flat repositories too");
        assertEquals(new PathKind.Auxiliary(), layout.classify("dists/bookworm/main/i18n/Translation-en.bz2"));
        assertEquals(new PathKind.Auxiliary(), layout.classify("dists/bookworm/main/Contents-amd64.gz"));
        assertEquals(new PathKind.Auxiliary(), layout.classify("keys/archive.gpg"));
        assertEquals(new PathKind.Unknown(), layout.classify("README"));
        assertEquals(new PathKind.Unknown(), layout.classify("ls-lR.gz"));
    }

    @Test
    void byHashPath_sitsBesideTheFile() {
        assertEquals(Optional.of("dists/x/main/binary-amd64/by-hash/SHA256/" + H),
                layout.byHashPath("dists/x/main/binary-amd64/Packages.xz", H));
    }
}

package dev.cacheproxy.modes.nix;

import dev.cacheproxy.core.cache.FileCheck;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.modes.linuxrepo.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;

/**
 * The NAR inside a NAR file checked against the narinfo's {@code NarHash} and {@code NarSize}, where that is
 * cheap: an uncompressed, xz or bzip2 file (zstd and brotli need decoders we do not carry) of at most
 * {@link #MAX_NAR_SIZE} unpacked bytes. The file's own hash is what its name says, checked before this; the
 * NarHash is what the signature covers, so this is what ties the bytes served to the signed record.
 */
final class NarHashCheck implements FileCheck {
    /** Unpacking more than this before the client's last byte is not cheap any more. */
    static final long MAX_NAR_SIZE = 64L << 20;

    private final String fileName;
    private final NarInfo.NarDigest expected;

    private NarHashCheck(String fileName, NarInfo.NarDigest expected) {
        this.fileName = fileName;
        this.expected = expected;
    }

    /** The check for the NAR file {@code fileName}, when it is cheap; else none. */
    static Optional<NarHashCheck> of(String fileName, NarInfo.NarDigest expected) {
        boolean decodable = fileName.endsWith(".nar") || fileName.endsWith(".nar.xz") || fileName.endsWith(".nar.bz2");
        return decodable && expected.size() <= MAX_NAR_SIZE ? Optional.of(new NarHashCheck(fileName, expected))
                : Optional.empty();
    }

    @Override
    public Optional<String> refuses(Path file) throws IOException {
        return refuses(Files.newInputStream(file));
    }

    /** Why the NAR file read from {@code raw} (taken over and closed) does not unpack to the expected NAR, or empty. */
    Optional<String> refuses(InputStream raw) throws IOException {
        try (InputStream in = Compression.open(raw, fileName)) {
            return unpackedRefuses(in);
        }
    }

    private Optional<String> unpackedRefuses(InputStream in) throws IOException {
        MessageDigest sha256 = DigestAlgorithm.SHA256.newMessageDigest();
        byte[] buf = new byte[64 * 1024];
        long size = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            sha256.update(buf, 0, n);
            size += n;
            if (size > expected.size()) {
                return Optional.of("the NAR inside is larger than its narinfo's NarSize " + expected.size());
            }
        }
        if (size != expected.size() || !Arrays.equals(sha256.digest(), expected.sha256())) {
            return Optional.of("the NAR inside is not the one its narinfo's NarHash names");
        }
        return Optional.empty();
    }
}

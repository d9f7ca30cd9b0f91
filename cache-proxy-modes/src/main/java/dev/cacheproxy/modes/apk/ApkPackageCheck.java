package dev.cacheproxy.modes.apk;

import dev.cacheproxy.core.cache.FileCheck;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * What apk checks of a package against its index record, done before the package is stored: its size
 * ({@code S:}) and the SHA-1 of its control segment ({@code C:Q1…}). An {@code .apk} is three concatenated
 * gzip members (signature, control, data); the control member's compressed bytes, header and trailer
 * included, are what {@code C:} hashes. The members are found by inflating each to its end (nothing is
 * kept but the hash), so the check reads the signature and control members only, never the data.
 */
final class ApkPackageCheck implements FileCheck {
    private static final int MAX_HEADER_EXTRA = 64 * 1024;

    private final Digest controlSha1;
    private final long size;

    ApkPackageCheck(Digest controlSha1, long size) {
        if (controlSha1.algorithm() != DigestAlgorithm.SHA1) {
            throw new IllegalArgumentException("an apk control checksum is SHA-1: " + controlSha1);
        }
        this.controlSha1 = controlSha1;
        this.size = size;
    }

    @Override
    public Optional<String> refuses(Path file) throws IOException {
        long actual = Files.size(file);
        if (size >= 0 && actual != size) {
            return Optional.of("the package is " + actual + " bytes, its index record says " + size);
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
            if (!skipMember(in, null)) {
                return Optional.of("not an apk package: no signature gzip member");
            }
            MessageDigest sha1 = DigestAlgorithm.SHA1.newMessageDigest();
            if (!skipMember(in, sha1)) {
                return Optional.of("not an apk package: no control gzip member");
            }
            String got = HexFormat.of().formatHex(sha1.digest());
            return got.equals(controlSha1.hex()) ? Optional.empty()
                    : Optional.of("control segment SHA-1 " + got + " is not the index's " + controlSha1.hex());
        } catch (DataFormatException e) {
            return Optional.of("not an apk package: " + e.getMessage());
        }
    }

    /**
     * Reads one gzip member from {@code in} (positioned at its start) to its end, feeding every byte of it,
     * header and trailer included, to {@code digest} when not null. False when {@code in} is at its end.
     */
    private static boolean skipMember(InputStream in, MessageDigest digest) throws IOException, DataFormatException {
        Feed feed = new Feed(in, digest);
        int id1 = feed.read();
        if (id1 < 0) {
            return false;
        }
        if (id1 != 0x1f || feed.read() != 0x8b || feed.read() != 8) {
            throw new DataFormatException("not a gzip member");
        }
        int flags = feed.read();
        feed.skip(6); // mtime, xfl, os
        if ((flags & 4) != 0) { // FEXTRA
            int xlen = feed.read() | feed.read() << 8;
            if (xlen > MAX_HEADER_EXTRA) {
                throw new DataFormatException("gzip extra field too long");
            }
            feed.skip(xlen);
        }
        if ((flags & 8) != 0) { // FNAME
            feed.skipZeroTerminated();
        }
        if ((flags & 16) != 0) { // FCOMMENT
            feed.skipZeroTerminated();
        }
        if ((flags & 2) != 0) { // FHCRC
            feed.skip(2);
        }
        feed.inflateToEnd();
        feed.skip(8); // CRC32, ISIZE
        return true;
    }

    /**
     * Bytes of one member, read one at a time for the header and through an {@link Inflater} for the
     * deflate data; the inflater is fed single bytes near its end so that no byte of the next member is
     * consumed (the stream is not rewindable).
     */
    private static final class Feed {
        private final InputStream in;
        private final MessageDigest digest;
        private final byte[] one = new byte[1];
        private final byte[] out = new byte[64 * 1024];

        Feed(InputStream in, MessageDigest digest) {
            this.in = in;
            this.digest = digest;
        }

        int read() throws IOException {
            int b = in.read();
            if (b >= 0 && digest != null) {
                digest.update((byte) b);
            }
            return b;
        }

        void skip(int n) throws IOException, DataFormatException {
            for (int i = 0; i < n; i++) {
                if (read() < 0) {
                    throw new DataFormatException("truncated gzip member");
                }
            }
        }

        void skipZeroTerminated() throws IOException, DataFormatException {
            for (int b; (b = read()) != 0; ) {
                if (b < 0) {
                    throw new DataFormatException("truncated gzip header");
                }
            }
        }

        void inflateToEnd() throws IOException, DataFormatException {
            Inflater inflater = new Inflater(true);
            try {
                while (!inflater.finished()) {
                    if (inflater.needsInput()) {
                        int b = read();
                        if (b < 0) {
                            throw new DataFormatException("truncated deflate data");
                        }
                        one[0] = (byte) b;
                        inflater.setInput(one, 0, 1);
                    }
                    inflater.inflate(out);
                    if (inflater.needsDictionary()) {
                        throw new DataFormatException("deflate data needs a dictionary");
                    }
                }
            } finally {
                inflater.end();
            }
        }
    }
}

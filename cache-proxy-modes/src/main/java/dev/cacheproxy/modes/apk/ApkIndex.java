package dev.cacheproxy.modes.apk;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.modes.linuxrepo.Compression;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads an {@code APKINDEX.tar.gz}: a signature gzip member followed by {@code gzip(tar(DESCRIPTION,
 * APKINDEX))}. The signature's tar has no end-of-archive blocks, so one tar reader over the concatenated
 * members walks into the index's tar. The {@code APKINDEX} text is one record per package, records
 * separated by a blank line, fields {@code X:value}.
 */
final class ApkIndex {
    private ApkIndex() {}

    /** One package: {@code <name>-<version>.apk}, its control segment's SHA-1 ({@code C:Q1…}) and size. */
    record Package(String fileName, Digest controlSha1, long size) {}

    /** Calls {@code each} for every record with a name, version and {@code Q1} checksum; others are skipped. */
    static void forEach(InputStream indexTarGz, Consumer<Package> each) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Compression.openDetected(indexTarGz))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (e.getName().equals("APKINDEX")) {
                    records(tar, each);
                    return;
                }
            }
            throw new IOException("no APKINDEX member");
        }
    }

    private static void records(InputStream text, Consumer<Package> each) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(text, StandardCharsets.UTF_8));
        String name = null;
        String version = null;
        String checksum = null;
        long size = -1;
        for (String line = r.readLine(); ; line = r.readLine()) {
            if (line == null || line.isEmpty()) {
                Package p = toPackage(name, version, checksum, size);
                if (p != null) {
                    each.accept(p);
                }
                name = version = checksum = null;
                size = -1;
                if (line == null) {
                    return;
                }
                continue;
            }
            if (line.length() < 2 || line.charAt(1) != ':') {
                continue;
            }
            String value = line.substring(2);
            switch (line.charAt(0)) {
                case 'P' -> name = value;
                case 'V' -> version = value;
                case 'C' -> checksum = value;
                case 'S' -> size = parseSize(value);
                default -> { }
            }
        }
    }

    private static long parseSize(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Package toPackage(String name, String version, String checksum, long size) {
        if (name == null || version == null || checksum == null || !checksum.startsWith("Q1")) {
            return null;
        }
        String fileName = name + "-" + version + ".apk";
        if (fileName.contains("/") || fileName.startsWith(".")) {
            return null;
        }
        byte[] sha1;
        try {
            sha1 = Base64.getDecoder().decode(checksum.substring(2));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (sha1.length != DigestAlgorithm.SHA1.bytes()) {
            return null;
        }
        return new Package(fileName, new Digest(DigestAlgorithm.SHA1, HexFormat.of().formatHex(sha1)), size);
    }
}

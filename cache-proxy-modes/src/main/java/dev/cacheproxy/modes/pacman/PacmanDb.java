package dev.cacheproxy.modes.pacman;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.modes.linuxrepo.Compression;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a pacman repository database: a (gzip, xz or bzip2 compressed) tar with one directory per
 * package, whose {@code desc} file holds {@code %FIELD%} blocks. Streamed entry by entry; only one
 * {@code desc} is in memory at a time.
 */
final class PacmanDb {
    /** Larger desc entries are not package descriptions (a real one is well under a kilobyte or two). */
    private static final int MAX_DESC_BYTES = 1024 * 1024;

    private PacmanDb() {}

    /**
     * One package the database lists: its file name (relative to the database's directory), SHA-256,
     * compressed size and, when the database carries it, the detached signature's bytes ({@code %PGPSIG%}).
     */
    record Package(String fileName, Digest sha256, long size, byte[] signature) {}

    /** Calls {@code each} for every package with a file name and a SHA-256; others are skipped. */
    static void forEach(InputStream db, Consumer<Package> each) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Compression.openDetected(db))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (!e.isFile() || !e.getName().endsWith("/desc")) {
                    continue;
                }
                if (e.getSize() > MAX_DESC_BYTES) {
                    throw new IOException(e.getName() + " is " + e.getSize() + " bytes: not a package description");
                }
                Map<String, String> fields = fields(tar);
                Package p = toPackage(fields);
                if (p != null) {
                    each.accept(p);
                }
            }
        }
    }

    /** The {@code %NAME%} blocks of one desc file: the first line of each value (file name, sum, size, sig). */
    private static Map<String, String> fields(InputStream entry) throws IOException {
        Map<String, String> out = new HashMap<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(entry, StandardCharsets.UTF_8));
        String field = null;
        for (String line; (line = r.readLine()) != null; ) {
            if (line.length() > 2 && line.startsWith("%") && line.endsWith("%")) {
                field = line.substring(1, line.length() - 1);
            } else if (field != null && !line.isEmpty()) {
                out.putIfAbsent(field, line);
            } else if (line.isEmpty()) {
                field = null;
            }
        }
        return out;
    }

    private static Package toPackage(Map<String, String> f) {
        String name = f.get("FILENAME");
        String sum = f.get("SHA256SUM");
        if (name == null || sum == null || name.contains("/") || name.startsWith(".")
                || !sum.matches("[0-9a-fA-F]{64}")) {
            return null;
        }
        long size;
        try {
            size = f.containsKey("CSIZE") ? Long.parseLong(f.get("CSIZE").strip()) : -1;
        } catch (NumberFormatException e) {
            size = -1;
        }
        byte[] sig = null;
        if (f.containsKey("PGPSIG")) {
            try {
                sig = Base64.getDecoder().decode(f.get("PGPSIG").strip());
            } catch (IllegalArgumentException e) {
                sig = null; // a damaged %PGPSIG%: the .sig file is then served unverified, as pacman checks it
            }
        }
        return new Package(name, new Digest(DigestAlgorithm.SHA256, sum.toLowerCase(java.util.Locale.ROOT)), size, sig);
    }
}

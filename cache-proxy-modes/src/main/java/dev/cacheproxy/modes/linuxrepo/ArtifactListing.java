package dev.cacheproxy.modes.linuxrepo;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The package files a generation's indexes list, with the digest the index states and the size: a file
 * of sorted lines {@code <path>\t<digest>\t<size>}, searched in place through a memory map. The digest is
 * a whole-file SHA-256 (written as bare hex) for deb, rpm and pacman; a layout whose index states
 * something else (apk: the SHA-1 of a package's control segment) writes {@code <algorithm>:<hex>} and
 * says how it is checked ({@link RepoLayout#artifactVerification}). A Debian archive lists tens
 * of thousands of packages per suite; none of them is held on the heap (the pages are the kernel's to
 * keep or drop), and the file survives restarts with the generation.
 */
public final class ArtifactListing {
    /** One listed file: its path below the mount, the digest its index states, and its size (-1: unknown). */
    public record Entry(String path, Digest digest, long size) {}

    private final MappedByteBuffer map;
    private final int size;

    private ArtifactListing(MappedByteBuffer map, int size) {
        this.map = map;
        this.size = size;
    }

    /** Collects entries during a refresh; {@link #write} sorts them and drops duplicates. */
    public static final class Builder {
        private final List<Entry> entries = new ArrayList<>();

        public void add(String path, Digest digest, long size) {
            if (path.indexOf('\t') < 0 && path.indexOf('\n') < 0) {
                entries.add(new Entry(path, digest, size));
            }
        }

        public int size() {
            return entries.size();
        }

        /** Writes the listing to {@code file}; returns the number of distinct paths. */
        public long write(Path file) throws IOException {
            byte[][] keys = new byte[entries.size()][];
            Integer[] order = new Integer[entries.size()];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = entries.get(i).path().getBytes(StandardCharsets.UTF_8);
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(keys[a], keys[b]));
            long written = 0;
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                String last = null;
                for (Integer i : order) {
                    Entry e = entries.get(i);
                    if (e.path().equals(last)) {
                        continue;
                    }
                    last = e.path();
                    String digest = e.digest().algorithm() == DigestAlgorithm.SHA256 ? e.digest().hex() : e.digest().toString();
                    w.write(e.path() + '\t' + digest + '\t' + e.size() + '\n');
                    written++;
                }
            }
            return written;
        }
    }

    /** Opens a listing written by {@link Builder#write}. */
    public static ArtifactListing open(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = ch.size();
            if (length > Integer.MAX_VALUE) {
                throw new IOException(file + " is too large for a listing");
            }
            return new ArtifactListing(ch.map(FileChannel.MapMode.READ_ONLY, 0, length), (int) length);
        }
    }

    /** The entry for {@code path}, if the indexes list it. Binary search over the sorted lines. */
    public Optional<Entry> find(String path) {
        byte[] key = path.getBytes(StandardCharsets.UTF_8);
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = lineStart((lo + hi) >>> 1);
            int tab = indexOf(mid, (byte) '\t');
            int end = indexOf(mid, (byte) '\n');
            if (tab < 0 || end < 0) {
                return Optional.empty();
            }
            int c = compare(mid, tab, key);
            if (c == 0) {
                return Optional.of(parse(path, tab, end));
            }
            if (c < 0) {
                lo = end + 1;
            } else {
                hi = mid;
            }
        }
        return Optional.empty();
    }

    private Entry parse(String path, int tab, int end) {
        byte[] rest = new byte[end - tab - 1];
        map.get(tab + 1, rest);
        String[] parts = new String(rest, StandardCharsets.US_ASCII).split("\t");
        Digest digest = parts[0].indexOf(':') > 0 ? Digest.parse(parts[0]) : Digest.sha256(parts[0]);
        return new Entry(path, digest, Long.parseLong(parts[1]));
    }

    private int lineStart(int pos) {
        int p = pos;
        while (p > 0 && map.get(p - 1) != '\n') {
            p--;
        }
        return p;
    }

    private int indexOf(int from, byte b) {
        for (int p = from; p < size; p++) {
            if (map.get(p) == b) {
                return p;
            }
        }
        return -1;
    }

    private int compare(int start, int end, byte[] key) {
        int n = Math.min(end - start, key.length);
        for (int i = 0; i < n; i++) {
            int c = Integer.compare(map.get(start + i) & 0xff, key[i] & 0xff);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(end - start, key.length);
    }
}

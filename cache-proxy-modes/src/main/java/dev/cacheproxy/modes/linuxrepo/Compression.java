package dev.cacheproxy.modes.linuxrepo;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/**
 * Repository indexes as their readers need them: decompressed by the file name's ending (gz, xz, bz2,
 * lzma; anything else is read as it is), streamed, never whole in memory. Shared by the Linux
 * repository modes (Debian's Packages.xz, repodata's .gz/.xz, APKINDEX.tar.gz, pacman's .db). zstd needs
 * a native library commons-compress does not bundle: a zstd-compressed index is refused with a clear error
 * (repo-add and Arch's mirrors write gzip databases; zstd is for packages, which are never decompressed).
 */
public final class Compression {
    private Compression() {}

    /**
     * {@code raw} (which this takes over and closes) decompressed as its first bytes say (gzip, xz, bzip2),
     * for files whose name has no ending ({@code core.db}, a link to {@code core.db.tar.gz}). Concatenated
     * gzip members are read as one stream (an APKINDEX is a signature member followed by the index).
     */
    public static InputStream openDetected(InputStream raw) throws IOException {
        InputStream buffered = new BufferedInputStream(raw, 64 * 1024);
        try {
            String format = CompressorStreamFactory.detect(buffered);
            if (format.equals(CompressorStreamFactory.ZSTANDARD)) {
                throw new IOException("zstd-compressed indexes are not supported (gzip, xz and bzip2 are)");
            }
            return new CompressorStreamFactory(true).createCompressorInputStream(format, buffered);
        } catch (CompressorException e) {
            return buffered; // not compressed: read as it is
        } catch (IOException e) {
            buffered.close();
            throw e;
        }
    }

    /** {@code raw} (which this takes over and closes) decompressed as {@code fileName}'s ending says. */
    public static InputStream open(InputStream raw, String fileName) throws IOException {
        InputStream buffered = new BufferedInputStream(raw, 64 * 1024);
        String format = fileName.endsWith(".xz") ? CompressorStreamFactory.XZ
                : fileName.endsWith(".gz") ? CompressorStreamFactory.GZIP
                : fileName.endsWith(".bz2") ? CompressorStreamFactory.BZIP2
                : fileName.endsWith(".lzma") ? CompressorStreamFactory.LZMA : null;
        if (format == null) {
            return buffered;
        }
        try {
            return new CompressorStreamFactory().createCompressorInputStream(format, buffered);
        } catch (CompressorException e) {
            buffered.close();
            throw new IOException("not a " + format + " stream: " + e.getMessage(), e);
        }
    }
}

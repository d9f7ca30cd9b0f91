package dev.cacheproxy.modes.linuxrepo;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/**
 * Repository indexes as their readers need them: decompressed by the file name's ending (gz, xz, bz2,
 * lzma; anything else is read as it is), streamed, never whole in memory. Shared by the Linux
 * repository modes (Debian's Packages.xz today; APKINDEX.tar.gz, repodata's .gz/.xz, pacman's .db next).
 * zstd needs a native library commons-compress does not bundle; it comes with the first mode that needs it.
 */
public final class Compression {
    private Compression() {}

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

package dev.cacheproxy.modes.apk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * apk's formats as the mode reads them: an index of concatenated gzip members (signature, then the
 * index tar) and a package of three members whose control member's SHA-1 the index states. The bytes
 * are built here the way abuild writes them (signature and control tars cut, without end blocks);
 * ApkIT checks a repository written by the test generator, signatures included.
 */
class ApkFormatTest {
    @TempDir
    Path dir;

    @Test
    void index_listsEveryRecord_withTheControlChecksumAndSize() throws IOException {
        byte[] index = indexTarGz("""
                C:Q1%s
                P:hello-local
                V:1.1-r0
                S:1234

                C:not-a-q1-checksum
                P:skipped
                V:1.0-r0

                C:Q1%s
                P:hello-dep
                V:1.0-r0
                S:99
                """.formatted(b64(new byte[20]), b64(sha1("x".getBytes()))));
        List<ApkIndex.Package> seen = new ArrayList<>();
        ApkIndex.forEach(new ByteArrayInputStream(index), seen::add);
        assertEquals(2, seen.size(), seen.toString());
        assertEquals("hello-local-1.1-r0.apk", seen.get(0).fileName());
        assertEquals(1234, seen.get(0).size());
        assertEquals(new Digest(DigestAlgorithm.SHA1, HexFormat.of().formatHex(new byte[20])), seen.get(0).controlSha1());
        assertEquals("hello-dep-1.0-r0.apk", seen.get(1).fileName());
    }

    @Test
    void packageCheck_acceptsTheIndexedPackage_refusesATamperedControlOrSize() throws IOException {
        byte[] signature = gzip(cutTar(".SIGN.RSA.test.rsa.pub", new byte[256]));
        byte[] control = gzip(cutTar(".PKGINFO", "pkgname = hello\npkgver = 1.0-r0\n".getBytes(StandardCharsets.UTF_8)));
        byte[] data = gzip(endedTar("usr/share/hello/README", "hello\n".getBytes(StandardCharsets.UTF_8)));
        byte[] apk = concat(signature, control, data);
        Path file = Files.write(dir.resolve("hello-1.0-r0.apk"), apk);
        Digest c = new Digest(DigestAlgorithm.SHA1, HexFormat.of().formatHex(sha1(control)));

        assertTrue(new ApkPackageCheck(c, apk.length).refuses(file).isEmpty(), "the package its index lists");
        assertTrue(new ApkPackageCheck(c, apk.length + 1).refuses(file).orElseThrow().contains("bytes"));

        byte[] otherControl = gzip(cutTar(".PKGINFO", "pkgname = hello\npkgver = 6.6-r0\n".getBytes(StandardCharsets.UTF_8)));
        Path tampered = Files.write(dir.resolve("tampered.apk"), concat(signature, otherControl, data));
        assertTrue(new ApkPackageCheck(c, -1).refuses(tampered).orElseThrow().contains("control segment SHA-1"));

        Path notApk = Files.write(dir.resolve("page.apk"), "<html>not found</html>".getBytes(StandardCharsets.UTF_8));
        assertTrue(new ApkPackageCheck(c, -1).refuses(notApk).orElseThrow().startsWith("not an apk package"));
    }

    static byte[] indexTarGz(String apkindex) throws IOException {
        byte[] signature = gzip(cutTar(".SIGN.RSA.test.rsa.pub", new byte[256]));
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(tar)) {
            entry(t, "DESCRIPTION", "test repository".getBytes(StandardCharsets.UTF_8));
            entry(t, "APKINDEX", apkindex.getBytes(StandardCharsets.UTF_8));
        }
        return concat(signature, gzip(tar.toByteArray()));
    }

    /** A tar of one member without the end-of-archive blocks, as {@code abuild-tar --cut} writes it. */
    static byte[] cutTar(String name, byte[] content) throws IOException {
        byte[] whole = endedTar(name, content);
        int records = 512 + (content.length + 511) / 512 * 512;
        return java.util.Arrays.copyOf(whole, records);
    }

    static byte[] endedTar(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            entry(t, name, content);
        }
        return out.toByteArray();
    }

    private static void entry(TarArchiveOutputStream t, String name, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        t.putArchiveEntry(e);
        t.write(content);
        t.closeArchiveEntry();
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] sha1(byte[] b) {
        return DigestAlgorithm.SHA1.newMessageDigest().digest(b);
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}

package dev.cacheproxy.modes.apk;

import dev.cacheproxy.core.testing.ModeHarness;
import dev.cacheproxy.modes.linuxrepo.FirstContactContract;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** First contact for apk repositories: the signed index is the only metadata; it is stored at first contact. */
class ApkFirstContactTest extends FirstContactContract {
    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        h.start(new ApkMode(), "apk", Map.of("route", Map.of("path", "/apk"),
                "upstreams", List.of(upstreamBase + "/repo")));
    }

    @Override
    protected String rootFile() {
        return "v3.20/main/x86_64/APKINDEX.tar.gz";
    }

    @Override
    protected String member() {
        return null;
    }

    @Override
    protected byte[] rootFileListing(String memberSha256, long memberSize) {
        return "an index the first refresh has not read yet\n".getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected String packagePath() {
        return "v3.20/main/x86_64/hello-1.0-r0.apk";
    }

    /** A package as abuild writes it (signature, control and data gzip members): its index lists the control's SHA-1. */
    @Override
    protected byte[] packageBytes() throws IOException {
        return ApkFormatTest.concat(signature(), control(), ApkFormatTest.gzip(ApkFormatTest.endedTar("usr/share/hello/README",
                "hello\n".getBytes(StandardCharsets.UTF_8))));
    }

    @Override
    protected Map<String, byte[]> repositoryListing(byte[] pkg) throws IOException {
        String record = "C:Q1" + ApkFormatTest.b64(ApkFormatTest.sha1(control())) + "\nP:hello\nV:1.0-r0\nS:" + pkg.length + "\n";
        return Map.of(rootFile(), ApkFormatTest.indexTarGz(record));
    }

    private static byte[] signature() throws IOException {
        return ApkFormatTest.gzip(ApkFormatTest.cutTar(".SIGN.RSA.test.rsa.pub", new byte[256]));
    }

    private static byte[] control() throws IOException {
        return ApkFormatTest.gzip(ApkFormatTest.cutTar(".PKGINFO", "pkgname = hello\npkgver = 1.0-r0\n"
                .getBytes(StandardCharsets.UTF_8)));
    }
}

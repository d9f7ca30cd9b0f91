package dev.cacheproxy.modes.rpm;

import dev.cacheproxy.core.testing.ModeHarness;
import dev.cacheproxy.modes.linuxrepo.FirstContactContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** First contact for RPM repositories: a repomd.xml listing a primary data file. */
class RpmFirstContactTest extends FirstContactContract {
    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        h.start(new RpmMode(), "rpm", Map.of("route", Map.of("path", "/rpm"), "upstreams", List.of(upstreamBase + "/repo")));
    }

    @Override
    protected String rootFile() {
        return "el/repodata/repomd.xml";
    }

    @Override
    protected String member() {
        return "el/repodata/abc-primary.xml.gz";
    }

    @Override
    protected byte[] rootFileListing(String memberSha256, long memberSize) {
        return ("<?xml version=\"1.0\"?><repomd xmlns=\"http://linux.duke.edu/metadata/repo\"><data type=\"primary\">"
                + "<checksum type=\"sha256\">" + memberSha256 + "</checksum><location href=\"repodata/abc-primary.xml.gz\"/>"
                + "<size>" + memberSize + "</size></data></repomd>\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected String packagePath() {
        return "el/Packages/hello-1.0-1.noarch.rpm";
    }

    @Override
    protected Map<String, byte[]> repositoryListing(byte[] pkg) throws IOException {
        String primary = "<?xml version=\"1.0\"?><metadata xmlns=\"http://linux.duke.edu/metadata/common\" packages=\"1\">"
                + "<package type=\"rpm\"><name>hello</name><checksum type=\"sha256\" pkgid=\"YES\">" + sha256Hex(pkg)
                + "</checksum><size package=\"" + pkg.length + "\"/><location href=\"Packages/hello-1.0-1.noarch.rpm\"/>"
                + "</package></metadata>\n";
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(primary.getBytes(StandardCharsets.UTF_8));
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(rootFile(), rootFileListing(sha256Hex(gz.toByteArray()), gz.size()));
        files.put(member(), gz.toByteArray());
        return files;
    }
}

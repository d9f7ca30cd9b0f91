package dev.cacheproxy.modes.rpm;

import dev.cacheproxy.core.testing.ModeHarness;
import dev.cacheproxy.modes.linuxrepo.FirstContactContract;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

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
}

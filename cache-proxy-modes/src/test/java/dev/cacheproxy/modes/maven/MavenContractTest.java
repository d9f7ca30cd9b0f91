package dev.cacheproxy.modes.maven;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import dev.cacheproxy.core.testing.ModeContract;
import dev.cacheproxy.core.testing.ModeHarness;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The mode contract for Maven: files verified against the repository's checksum headers. */
class MavenContractTest extends ModeContract {
    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        h.start(new MavenMode(), "maven", Map.of("route", Map.of("path", "/maven"), "upstream", upstreamBase + "/m2"));
    }

    @Override
    protected Resource artifact() {
        return new Resource("/com/example/lib/1.0/lib-1.0.jar", "/m2/com/example/lib/1.0/lib-1.0.jar",
                "PK\u0003\u0004 a jar".getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The upstream states a SHA-1 the body does not have. */
    @Override
    protected void publishBroken(Resource r) {
        serve(r.upstreamPath(), aResponse().withBody(r.body())
                .withHeader("X-Checksum-Sha1", "0123456789abcdef0123456789abcdef01234567"));
    }

    @Override
    protected Resource revalidated() {
        return new Resource("/com/example/lib/maven-metadata.xml", "/m2/com/example/lib/maven-metadata.xml",
                "<metadata><groupId>com.example</groupId></metadata>".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected Resource missing() {
        return new Resource("/com/example/lib/2.0/lib-2.0.pom", "/m2/com/example/lib/2.0/lib-2.0.pom", new byte[0]);
    }

    @Override
    protected List<String> malformed() {
        return List.of("/x", "/com/example/", "/");
    }
}

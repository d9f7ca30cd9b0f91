package dev.cacheproxy.modes.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.Mount;
import dev.cacheproxy.core.path.RequestPath;
import dev.cacheproxy.core.upstream.TransportSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MavenPathTest {
    private static final MavenConfig DEFAULTS = new MavenConfig(new InstanceBasics(new Mount.Path("/maven"),
            List.of(URI.create("http://up.example.org/maven2")), TransportSettings.DEFAULTS, Duration.ofMinutes(1),
            Expiration.DEFAULT, List.of()), CachePolicy.IMMUTABLE, CachePolicy.REVALIDATE, Freshness.NONE,
            CachePolicy.REVALIDATE, Freshness.of(Duration.ofSeconds(30)), BusyPolicy.BYPASS, Freshness.NONE,
            BusyPolicy.STALE);

    @ParameterizedTest(name = "{0} -> {1} sidecar={2}")
    @CsvSource({
            // releases, with classifiers, plugins and extensions
            "com/example/lib/1.0/lib-1.0.jar, RELEASE, false",
            "com/example/lib/1.0/lib-1.0.pom, RELEASE, false",
            "com/example/lib/1.0/lib-1.0-sources.jar, RELEASE, false",
            "org/apache/maven/plugins/maven-jar-plugin/3.5.1/maven-jar-plugin-3.5.1.jar, RELEASE, false",
            "org/example/ext/1.2.3/ext-1.2.3.tar.gz, RELEASE, false",
            "com/example/lib/1.0/lib-1.0.module, RELEASE, false",
            // every sidecar kind of a release: as immutable as the release
            "com/example/lib/1.0/lib-1.0.jar.sha1, RELEASE, true",
            "com/example/lib/1.0/lib-1.0.jar.md5, RELEASE, true",
            "com/example/lib/1.0/lib-1.0.jar.sha256, RELEASE, true",
            "com/example/lib/1.0/lib-1.0.jar.sha512, RELEASE, true",
            "com/example/lib/1.0/lib-1.0.jar.asc, RELEASE, true",
            "com/example/lib/1.0/lib-1.0.jar.asc.sha1, RELEASE, true",
            // snapshots: plain and timestamped, with a classifier
            "com/example/lib/1.2-SNAPSHOT/lib-1.2-SNAPSHOT.jar, SNAPSHOT, false",
            "com/example/lib/1.2-SNAPSHOT/lib-1.2-20261121.093000-3.jar, SNAPSHOT, false",
            "com/example/lib/1.2-SNAPSHOT/lib-1.2-20261121.093000-3-sources.jar, SNAPSHOT, false",
            "com/example/lib/1.2-SNAPSHOT/lib-1.2-20261121.093000-3.pom.sha1, SNAPSHOT, true",
            // metadata at each level, and its sidecars
            "org/apache/maven/plugins/maven-metadata.xml, METADATA, false",
            "com/example/lib/maven-metadata.xml, METADATA, false",
            "com/example/lib/1.2-SNAPSHOT/maven-metadata.xml, METADATA, false",
            "com/example/lib/maven-metadata.xml.sha1, METADATA, true",
            "com/example/lib/1.2-SNAPSHOT/maven-metadata.xml.md5, METADATA, true",
    })
    void classification(String path, MavenPath.Kind kind, boolean sidecar) {
        MavenPath p = (MavenPath) MavenPath.of(RequestPath.parse("/" + path));
        assertEquals(kind, p.kind());
        assertEquals(sidecar, p.sidecar());
        assertEquals(path, p.path());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "com/example/lib/1.0/lib-1.0.jar, immutable, forever, bypass",
            "com/example/lib/1.0/lib-1.0.jar.sha1, immutable, forever, bypass",
            "com/example/lib/maven-metadata.xml, revalidate, none, stale",
            "com/example/lib/maven-metadata.xml.sha1, revalidate, none, stale",
            "com/example/lib/1.2-SNAPSHOT/lib-1.2-SNAPSHOT.jar, revalidate, none, bypass",
            "com/example/lib/1.2-SNAPSHOT/lib-1.2-SNAPSHOT.jar.sha1, revalidate, 30s, bypass",
    })
    void rules_withTheGoDefaults(String path, String policy, String fresh, String busy) {
        CacheRule r = DEFAULTS.ruleFor((MavenPath) MavenPath.of(RequestPath.parse("/" + path)));
        assertEquals(CachePolicy.parse(policy), r.policy());
        assertEquals(fresh.equals("forever") ? Freshness.FOREVER : fresh.equals("none") ? Freshness.NONE
                : Freshness.of(Duration.ofSeconds(30)), r.freshFor());
        assertEquals(BusyPolicy.parse(busy), r.busyPolicy());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/", "/maven-metadata.xml", "/com/example/", "/com/ex ample/x.jar", "/com/.hidden/x.jar",
            "/com/example/x.jar%3Fa", "/com/example/<x>.jar", "/com/example/x;y.jar"})
    void outsideTheLayout_isRejected(String raw) {
        assertInstanceOf(MavenRequest.Invalid.class, MavenPath.of(RequestPath.parse(raw)));
    }
}

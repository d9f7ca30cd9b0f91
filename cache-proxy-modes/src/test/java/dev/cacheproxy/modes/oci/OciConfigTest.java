package dev.cacheproxy.modes.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.config.Glob;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.Mount;
import dev.cacheproxy.core.upstream.TransportSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OciConfigTest {
    private static OciConfig config(List<OciConfig.Rule> rules) {
        InstanceBasics basics = new InstanceBasics(new Mount.Bind("127.0.0.1:0"), List.of(URI.create("http://up.example.test")),
                TransportSettings.DEFAULTS, Duration.ofMinutes(1), Expiration.DEFAULT, List.of());
        return new OciConfig(basics, Optional.empty(), CachePolicy.REVALIDATE, Freshness.of(Duration.ofMinutes(5)),
                BusyPolicy.STALE, new OciConfig.Auth.None(), rules);
    }

    @Test
    void firstMatchingRuleDecides_digestsImmutableUnlessBypassed() {
        Expiration day = Expiration.after(Duration.ofDays(1));
        OciConfig c = config(List.of(
                new OciConfig.Rule(Glob.compile("internal/**"), Optional.of(CachePolicy.BYPASS), Optional.empty()),
                new OciConfig.Rule(Glob.compile("library/*"), Optional.of(CachePolicy.IMMUTABLE), Optional.of(day)),
                new OciConfig.Rule(Glob.compile("**"), Optional.of(CachePolicy.BYPASS), Optional.empty())));
        assertEquals(CachePolicy.BYPASS, c.tagRule("internal/a/b").policy());
        assertEquals(CachePolicy.BYPASS, c.digestRule("internal/a/b").policy());
        assertEquals(CachePolicy.IMMUTABLE, c.tagRule("library/alpine").policy());
        assertEquals(day, c.tagRule("library/alpine").expireAfter());
        assertEquals(day, c.digestRule("library/alpine").expireAfter());
        assertEquals(CachePolicy.BYPASS, c.tagRule("other/x").policy(), "the catch-all, not an earlier rule");

        OciConfig plain = config(List.of());
        assertEquals(CachePolicy.REVALIDATE, plain.tagRule("x").policy());
        assertEquals(Freshness.of(Duration.ofMinutes(5)), plain.tagRule("x").freshFor());
        assertEquals(CachePolicy.IMMUTABLE, plain.digestRule("x").policy());
        assertEquals(BusyPolicy.STALE, plain.listingRule("x").busyPolicy());
    }
}

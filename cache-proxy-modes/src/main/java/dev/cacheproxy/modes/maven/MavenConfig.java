package dev.cacheproxy.modes.maven;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.ModeConfig;

/**
 * The {@code maven} block. Which rule a path gets:
 *
 * <ul>
 *   <li>{@code maven-metadata.xml} and its sidecars: revalidate, {@code metadata_fresh_for} and
 *       {@code metadata_busy_policy} (metadata and its checksum keep the same freshness: pitfall M2);</li>
 *   <li>release files and their sidecars: {@code release_policy} (a release's checksum is immutable,
 *       unlike the Go project, which revalidates it every 30 s);</li>
 *   <li>snapshot files: {@code snapshot_policy}, {@code snapshot_fresh_for}; their sidecars:
 *       {@code checksum_policy}, {@code checksum_fresh_for}, {@code checksum_busy_policy}.</li>
 * </ul>
 */
public record MavenConfig(InstanceBasics basics, CachePolicy releasePolicy, CachePolicy snapshotPolicy,
        Freshness snapshotFreshFor, CachePolicy checksumPolicy, Freshness checksumFreshFor,
        BusyPolicy checksumBusyPolicy, Freshness metadataFreshFor, BusyPolicy metadataBusyPolicy)
        implements ModeConfig {

    private Expiration expireAfter() {
        return basics.expireAfter();
    }


    CacheRule ruleFor(MavenPath p) {
        return switch (p.kind()) {
            case METADATA -> new CacheRule(CachePolicy.REVALIDATE, metadataFreshFor, metadataBusyPolicy, expireAfter());
            case RELEASE -> new CacheRule(releasePolicy, Freshness.FOREVER, BusyPolicy.BYPASS, expireAfter());
            case SNAPSHOT -> p.sidecar()
                    ? new CacheRule(checksumPolicy, checksumFreshFor, checksumBusyPolicy, expireAfter())
                    : new CacheRule(snapshotPolicy, snapshotFreshFor, BusyPolicy.BYPASS, expireAfter());
        };
    }
}

package dev.cacheproxy.modes.apk;

import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.modes.linuxrepo.LinuxRepoConfig;
import dev.cacheproxy.modes.linuxrepo.LinuxRepoInstance;
import java.time.Duration;

/** The {@code apk} mode: Alpine Linux package repositories (apk-tools v2 indexes). */
public final class ApkMode implements Mode<LinuxRepoConfig> {
    static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofHours(1);

    @Override
    public String key() {
        return "apk";
    }

    @Override
    public LinuxRepoConfig parse(ConfigBlock block) {
        return LinuxRepoConfig.parse(block, key(), DEFAULT_REFRESH_INTERVAL);
    }

    @Override
    public ModeInstance create(String instanceName, LinuxRepoConfig config, ModeContext context) {
        return LinuxRepoInstance.create(instanceName, new ApkLayout(), config, context);
    }
}

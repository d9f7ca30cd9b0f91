package dev.cacheproxy.modes.rpm;

import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.modes.linuxrepo.LinuxRepoConfig;
import dev.cacheproxy.modes.linuxrepo.LinuxRepoInstance;
import java.time.Duration;

/** The {@code rpm} mode: RPM repositories (repomd) for dnf, yum and zypper. */
public final class RpmMode implements Mode<LinuxRepoConfig> {
    static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofHours(1);

    @Override
    public String key() {
        return "rpm";
    }

    @Override
    public LinuxRepoConfig parse(ConfigBlock block) {
        return LinuxRepoConfig.parse(block, key(), DEFAULT_REFRESH_INTERVAL);
    }

    @Override
    public ModeInstance create(String instanceName, LinuxRepoConfig config, ModeContext context) {
        return LinuxRepoInstance.create(instanceName, new RpmLayout(), config, context);
    }
}

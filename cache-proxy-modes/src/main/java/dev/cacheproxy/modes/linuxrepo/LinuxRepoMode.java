package dev.cacheproxy.modes.linuxrepo;

import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import java.time.Duration;

/**
 * A Linux repository mode: its YAML key, its default {@code refresh_interval} (the Go project's) and its
 * {@link RepoLayout}. The config fields, the instance and everything it does are the framework's.
 */
public abstract class LinuxRepoMode implements Mode<LinuxRepoConfig> {
    private final String key;
    private final Duration defaultRefreshInterval;

    protected LinuxRepoMode(String key, Duration defaultRefreshInterval) {
        this.key = key;
        this.defaultRefreshInterval = defaultRefreshInterval;
    }

    /** A layout for one instance. */
    protected abstract RepoLayout layout();

    @Override
    public final String key() {
        return key;
    }

    @Override
    public final LinuxRepoConfig parse(ConfigBlock block) {
        return LinuxRepoConfig.parse(block, key, defaultRefreshInterval);
    }

    @Override
    public final ModeInstance create(String instanceName, LinuxRepoConfig config, ModeContext context) {
        return LinuxRepoInstance.create(instanceName, layout(), config, context);
    }
}

package dev.cacheproxy.modes.rpm;

import dev.cacheproxy.modes.linuxrepo.LinuxRepoMode;
import dev.cacheproxy.modes.linuxrepo.RepoLayout;
import java.time.Duration;

/** The {@code rpm} mode: RPM repositories (repomd) for dnf, yum and zypper. */
public final class RpmMode extends LinuxRepoMode {
    public RpmMode() {
        super("rpm", Duration.ofHours(1));
    }

    @Override
    protected RepoLayout layout() {
        return new RpmLayout();
    }
}

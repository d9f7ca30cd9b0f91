package dev.cacheproxy.modes.deb;

import dev.cacheproxy.modes.linuxrepo.LinuxRepoMode;
import dev.cacheproxy.modes.linuxrepo.RepoLayout;
import java.time.Duration;

/** The {@code deb} mode: Debian and Ubuntu archives (and flat repositories) for apt. */
public final class DebMode extends LinuxRepoMode {
    public DebMode() {
        super("deb", Duration.ofHours(1));
    }

    @Override
    protected RepoLayout layout() {
        return new DebLayout();
    }
}

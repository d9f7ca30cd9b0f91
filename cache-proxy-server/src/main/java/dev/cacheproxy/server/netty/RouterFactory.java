package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.path.RequestPath;
import java.util.List;

/** Builds the main listener's {@link Router} from the path-mounted instances. */
public final class RouterFactory {
    /** A path-mounted instance. */
    public record Mounted(String name, String mountPath, ModeInstance instance) {}

    private RouterFactory() {}

    public static Router create(List<Mounted> mounted) {
        return new Router(mounted.stream()
                .map(m -> new Router.Route(m.name(), m.mountPath(), RequestPath.parse(m.mountPath()), m.instance()))
                .toList());
    }
}

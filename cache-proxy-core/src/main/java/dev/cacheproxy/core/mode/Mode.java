package dev.cacheproxy.core.mode;

import dev.cacheproxy.core.config.ConfigBlock;

/**
 * A protocol mode: reads its YAML block and builds instances. One implementation per mode package,
 * listed explicitly in the modes module's registry.
 *
 * @param <C> the mode's config record
 */
public interface Mode<C extends ModeConfig> {
    /** The YAML key of the mode block ({@code file}, {@code npm}, ...). */
    String key();

    /**
     * Reads and validates the block. Problems are recorded on {@code block} (every one, with its
     * path); the return value is only used when none were recorded.
     */
    C parse(ConfigBlock block);

    ModeInstance create(String instanceName, C config, ModeContext context);

    /** {@link #parse} bound to this mode, so that an instance is built from it with its types intact. */
    default Configured<C> configure(ConfigBlock block) {
        return new Configured<>(this, parse(block));
    }
}

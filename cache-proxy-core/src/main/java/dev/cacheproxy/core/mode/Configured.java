package dev.cacheproxy.core.mode;

/**
 * A mode with the configuration it parsed, kept together with their types: the server builds the
 * instance without raw types or casts, whatever the mode.
 */
public record Configured<C extends ModeConfig>(Mode<C> mode, C config) {
    public ModeInstance create(String instanceName, ModeContext context) {
        return mode.create(instanceName, config, context);
    }
}

package dev.cacheproxy.core.mode;

import java.time.Instant;

/**
 * One repository root of an instance as status pages show it (the Linux repository modes have roots: a
 * {@code dists/<suite>} or a {@code repodata} directory whose metadata is served as one generation).
 *
 * @param path the root below the instance, with a leading slash
 * @param state the root's state in the words of the status schema: pending, active, suspect or removed
 * @param generation the published generation's id, or null before the first one
 * @param publishedAt when that generation was published, or null
 * @param upstream the upstream base it was built from (without credentials), or null
 * @param packages how many package files the generation lists
 * @param validUntil the root file's {@code Valid-Until}, or null
 * @param lastAttempt the last refresh attempt, or null
 * @param lastSuccess the last refresh that succeeded, or null
 * @param lastError why the last refresh failed, or null when it did not
 */
public record RootStatus(String path, String state, String generation, Instant publishedAt, String upstream, long packages,
        Instant validUntil, Instant lastAttempt, Instant lastSuccess, String lastError) {

    /** Whether the generation is past its {@code Valid-Until} at {@code now} (apt refuses it then). */
    public boolean expiredAt(Instant now) {
        return validUntil != null && validUntil.isBefore(now);
    }
}

package dev.cacheproxy.modes.maven;

/**
 * What a request below a Maven mount asks for: a file of the repository layout ({@link MavenPath}), or
 * nothing the layout has ({@link Invalid}, answered 400 without asking the upstream). Parsed once, by
 * {@link MavenPath#of}.
 */
sealed interface MavenRequest permits MavenPath, MavenRequest.Invalid {
    /** Outside the repository layout; {@code reason} tells the client why. */
    record Invalid(String reason) implements MavenRequest {}
}

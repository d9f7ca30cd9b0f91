package dev.cacheproxy.modes.maven;

import dev.cacheproxy.core.path.RequestPath;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A path below a Maven mount, checked against the repository layout and classified. The class of a
 * sidecar ({@code .sha1}, {@code .md5}, {@code .sha256}, {@code .sha512}, {@code .asc}) is the class of
 * the file it describes: a release's checksum is as immutable as the release.
 */
record MavenPath(String path, Kind kind, boolean sidecar) implements MavenRequest {
    enum Kind {
        /** A file of a released version: never changes once published. */
        RELEASE,
        /** A file of a {@code -SNAPSHOT} version (timestamped or not). */
        SNAPSHOT,
        /** {@code maven-metadata.xml} at group, artifact or version level. */
        METADATA
    }

    /** Sidecar suffixes, outermost first ({@code x.jar.asc.sha1} describes {@code x.jar.asc}, which describes {@code x.jar}). */
    static final List<String> SIDECARS = List.of(".sha1", ".md5", ".sha256", ".sha512", ".asc");

    /** Characters of Maven coordinates and file names (groupId, artifactId, version, classifier, extension). */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._+~-]*");

    /**
     * The file {@code p} names, or {@link MavenRequest.Invalid} for odd characters, a hidden segment, or
     * fewer than two segments (group-level metadata such as {@code org/example/maven-metadata.xml} is the
     * shortest path).
     */
    static MavenRequest of(RequestPath p) {
        List<String> s = p.segments();
        if (s.size() < 2 || p.trailingSlash()) {
            return new MavenRequest.Invalid("not a file in the Maven layout (directory listings are not served)");
        }
        for (String seg : s) {
            if (!SEGMENT.matcher(seg).matches()) {
                return new MavenRequest.Invalid("'" + seg + "' is not a Maven coordinate or file name");
            }
        }
        String file = s.get(s.size() - 1);
        String described = file;
        boolean sidecar = false;
        for (boolean stripped = true; stripped; ) {
            stripped = false;
            for (String suffix : SIDECARS) {
                if (described.endsWith(suffix) && described.length() > suffix.length()) {
                    described = described.substring(0, described.length() - suffix.length());
                    sidecar = true;
                    stripped = true;
                }
            }
        }
        Kind kind;
        if (described.equals("maven-metadata.xml")) {
            kind = Kind.METADATA;
        } else if (s.size() >= 3 && s.get(s.size() - 2).endsWith("-SNAPSHOT")) {
            kind = Kind.SNAPSHOT; // version directory x-SNAPSHOT: plain or timestamped files
        } else {
            kind = Kind.RELEASE;
        }
        return new MavenPath(p.decoded(), kind, sidecar);
    }
}

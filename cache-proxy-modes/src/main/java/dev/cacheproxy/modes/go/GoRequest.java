package dev.cacheproxy.modes.go;

import dev.cacheproxy.core.path.RequestPath;
import java.util.List;
import java.util.regex.Pattern;

/** What a request below a go mount asks for; parsed once, never throws. */
sealed interface GoRequest {
    /** The module-proxy files of one version. */
    enum File { INFO, MOD, ZIP }

    /** The parts of a checksum database. */
    enum SumdbPart { LATEST, LOOKUP, TILE, PARTIAL_TILE }

    /** {@code <module>/@v/list}; {@code module} is escaped. */
    record VersionList(String module) implements GoRequest {}

    /** {@code <module>/@latest}. */
    record Latest(String module) implements GoRequest {}

    /** {@code <module>/@v/<version>.<info|mod|zip>} for a canonical version (both escaped). */
    record Version(String module, String version, File file) implements GoRequest {}

    /** {@code .info} of a query (a branch, a commit, {@code master}): the proxy resolves no queries. */
    record Query(String module, String query) implements GoRequest {}

    /** {@code sumdb/<name>/supported}. */
    record SumdbSupported(String name) implements GoRequest {}

    /** {@code sumdb/<name>/<rest>}: {@code rest} as the client sent it, encoded. */
    record Sumdb(String name, String rest, SumdbPart part) implements GoRequest {}

    /** Nothing the protocol has. */
    record Invalid(int status, String reason) implements GoRequest {}

    /** {@code tile/H/L/NNN[/xNNN...][.p/W]}, L a level or {@code data}. */
    Pattern TILE = Pattern.compile("tile/[0-9]+/(?:[0-9]+|data)/(?:x[0-9]{3}/)*[0-9]{3}(\\.p/[0-9]+)?");

    static GoRequest of(RequestPath path) {
        List<String> s = path.segments();
        if (s.isEmpty()) {
            return new Invalid(404, "not a module proxy path");
        }
        if (s.get(0).equals("sumdb")) {
            return sumdb(s);
        }
        int at = -1;
        for (int i = 0; i < s.size(); i++) {
            if (s.get(i).equals("@v") || s.get(i).equals("@latest")) {
                at = i;
                break;
            }
        }
        if (at <= 0) {
            return new Invalid(404, "not a module proxy path (expected <module>/@v/... or <module>/@latest)");
        }
        String module = String.join("/", s.subList(0, at));
        if (!ModulePaths.isEscapedPath(module)) {
            return new Invalid(400, "'" + module + "' is not an escaped module path");
        }
        if (s.get(at).equals("@latest")) {
            return at == s.size() - 1 ? new Latest(module) : new Invalid(404, "unknown path after @latest");
        }
        if (at != s.size() - 2) {
            return new Invalid(404, "not a module proxy path");
        }
        String file = s.get(at + 1);
        if (file.equals("list")) {
            return new VersionList(module);
        }
        int dot = file.lastIndexOf('.');
        File kind = dot < 0 ? null : switch (file.substring(dot + 1)) {
            case "info" -> File.INFO;
            case "mod" -> File.MOD;
            case "zip" -> File.ZIP;
            default -> null;
        };
        if (kind == null) {
            return new Invalid(404, "not a module proxy file (expected list, .info, .mod or .zip)");
        }
        String version = file.substring(0, dot);
        if (!ModulePaths.isCanonicalVersion(version)) {
            return kind == File.INFO ? new Query(module, version)
                    : new Invalid(404, "not found: " + version + " is not a canonical version");
        }
        return new Version(module, version, kind);
    }

    private static GoRequest sumdb(List<String> s) {
        if (s.size() < 3) {
            return new Invalid(404, "not a checksum database path");
        }
        String name = s.get(1);
        String rest = String.join("/", s.subList(2, s.size()));
        if (rest.equals("supported")) {
            return new SumdbSupported(name);
        }
        if (rest.equals("latest")) {
            return new Sumdb(name, rest, SumdbPart.LATEST);
        }
        if (s.get(2).equals("lookup") && s.size() >= 4) {
            String target = String.join("/", s.subList(3, s.size()));
            int at = target.lastIndexOf('@');
            if (at > 0 && ModulePaths.isEscapedPath(target.substring(0, at))
                    && ModulePaths.isCanonicalVersion(target.substring(at + 1))) {
                return new Sumdb(name, rest, SumdbPart.LOOKUP);
            }
            return new Invalid(404, "not a checksum database lookup (expected lookup/<module>@<version>)");
        }
        var tile = TILE.matcher(rest);
        if (tile.matches()) {
            return new Sumdb(name, rest, tile.group(1) == null ? SumdbPart.TILE : SumdbPart.PARTIAL_TILE);
        }
        return new Invalid(404, "not a checksum database path");
    }
}

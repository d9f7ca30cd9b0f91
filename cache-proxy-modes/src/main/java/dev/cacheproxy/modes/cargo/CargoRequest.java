package dev.cacheproxy.modes.cargo;

import dev.cacheproxy.core.path.RequestPath;
import java.util.List;
import java.util.Locale;

/** What a request below a cargo mount asks for; parsed once, never throws. */
sealed interface CargoRequest {
    /** {@code config.json} (or the mount itself). */
    record Config() implements CargoRequest {}

    /** The index file of {@code name} (lower case). */
    record Index(String name) implements CargoRequest {}

    /** {@code api/v1/crates/<crate>/<version>/download}: the {@code dl} the proxy publishes. */
    record Download(String crate, String version) implements CargoRequest {}

    /** Another {@code api/v1/...} path (search, crate information): forwarded to the upstream's API. */
    record Api(String encodedRest) implements CargoRequest {}

    /** Nothing a sparse registry has: 404, which cargo reads as "no such crate". */
    record Invalid(int status, String reason) implements CargoRequest {}

    static CargoRequest of(RequestPath path) {
        List<String> s = path.segments();
        if (s.isEmpty() || (s.size() == 1 && s.get(0).equals("config.json"))) {
            return new Config();
        }
        if (s.size() >= 2 && s.get(0).equals("api") && s.get(1).equals("v1")) {
            if (s.size() == 6 && s.get(2).equals("crates") && s.get(5).equals("download")) {
                String crate = s.get(3);
                String version = s.get(4);
                return IndexFile.NAME.matcher(crate).matches() && IndexFile.VERSION.matcher(version).matches()
                        ? new Download(crate, version) : new Invalid(404, "not a crate download");
            }
            return new Api(path.encoded().substring("api/".length()));
        }
        String name = s.get(s.size() - 1);
        if (!IndexFile.NAME.matcher(name).matches() || path.trailingSlash()) {
            return new Invalid(404, "not an index file");
        }
        String expected = IndexFile.path(name);
        return String.join("/", s).toLowerCase(Locale.ROOT).equals(expected)
                ? new Index(name.toLowerCase(Locale.ROOT)) : new Invalid(404, "not an index file (expected " + expected + ")");
    }
}

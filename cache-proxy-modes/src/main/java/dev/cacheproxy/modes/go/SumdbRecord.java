package dev.cacheproxy.modes.go;

import java.util.Optional;

/**
 * The go.sum lines a checksum database's {@code lookup/<module>@<version>} answer holds:
 * {@code <module> <version> h1:...} for the zip and {@code <module> <version>/go.mod h1:...}.
 * The note's signature is the go command's to check (it has the key); the proxy uses the hashes only to
 * refuse bytes that disagree with them.
 */
record SumdbRecord(Optional<String> zip, Optional<String> goMod) {
    static final SumdbRecord NONE = new SumdbRecord(Optional.empty(), Optional.empty());

    /** The hashes for {@code module} {@code version} (unescaped) in a lookup answer. */
    static SumdbRecord parse(String lookup, String module, String version) {
        Optional<String> zip = Optional.empty();
        Optional<String> mod = Optional.empty();
        for (String line : lookup.split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length != 3 || !f[0].equals(module) || !f[2].startsWith("h1:")) {
                continue;
            }
            if (f[1].equals(version)) {
                zip = Optional.of(f[2]);
            } else if (f[1].equals(version + "/go.mod")) {
                mod = Optional.of(f[2]);
            }
        }
        return new SumdbRecord(zip, mod);
    }
}

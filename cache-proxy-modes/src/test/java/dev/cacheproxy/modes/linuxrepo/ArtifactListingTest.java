package dev.cacheproxy.modes.linuxrepo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.core.digest.Digest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactListingTest {
    @TempDir
    Path dir;

    private static Digest digest(int i) {
        return Digest.sha256(String.format("%064x", i));
    }

    @Test
    void everyListedPathIsFound_andNothingElse() throws Exception {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            paths.add("debian/pool/main/" + (char) ('a' + i % 26) + "/pkg" + i + "/pkg" + i + "_1." + i + "_amd64.deb");
        }
        paths.add("pool/ü/unicode_1_all.deb");
        List<String> shuffled = new ArrayList<>(paths);
        Collections.shuffle(shuffled, new Random(7));
        ArtifactListing.Builder b = new ArtifactListing.Builder();
        for (String p : shuffled) {
            b.add(p, digest(paths.indexOf(p)), paths.indexOf(p) * 10L);
        }
        b.add(paths.get(3), digest(3), 30); // listed by two indexes: kept once
        Path file = dir.resolve("g.artifacts");
        assertEquals(paths.size(), b.write(file));
        ArtifactListing listing = ArtifactListing.open(file);
        for (int i = 0; i < paths.size(); i++) {
            assertEquals(Optional.of(new ArtifactListing.Entry(paths.get(i), digest(i), i * 10L)), listing.find(paths.get(i)));
        }
        assertEquals(Optional.empty(), listing.find("debian/pool/main/a/pkg0"));
        assertEquals(Optional.empty(), listing.find("aaa"));
        assertEquals(Optional.empty(), listing.find("zzz"));
    }

    @Test
    void anEmptyListingFindsNothing() throws Exception {
        Path file = dir.resolve("empty.artifacts");
        new ArtifactListing.Builder().write(file);
        assertEquals(Optional.empty(), ArtifactListing.open(file).find("pool/x.deb"));
    }
}

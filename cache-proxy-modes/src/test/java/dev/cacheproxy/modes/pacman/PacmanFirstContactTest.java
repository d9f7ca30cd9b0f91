package dev.cacheproxy.modes.pacman;

import dev.cacheproxy.core.testing.ModeHarness;
import dev.cacheproxy.modes.linuxrepo.FirstContactContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * First contact for pacman repositories: the database and its signature, both stored when a client
 * first asks for them (the signature is not listed by the database; pacman checks it).
 */
class PacmanFirstContactTest extends FirstContactContract {
    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        h.start(new PacmanMode(), "pacman", Map.of("route", Map.of("path", "/pacman"),
                "upstreams", List.of(upstreamBase + "/repo")));
    }

    @Override
    protected String rootFile() {
        return "core/os/x86_64/core.db";
    }

    @Override
    protected String member() {
        return "core/os/x86_64/core.db.sig";
    }

    @Override
    protected boolean memberListedByHash() {
        return false;
    }

    @Override
    protected byte[] rootFileListing(String memberSha256, long memberSize) {
        return "a database the first refresh has not read yet\n".getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected String packagePath() {
        return "core/os/x86_64/hello-1.0-1-any.pkg.tar.zst";
    }

    @Override
    protected Map<String, byte[]> repositoryListing(byte[] pkg) throws IOException {
        byte[] desc = ("%FILENAME%\nhello-1.0-1-any.pkg.tar.zst\n\n%NAME%\nhello\n\n%CSIZE%\n" + pkg.length
                + "\n\n%SHA256SUM%\n" + sha256Hex(pkg) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream db = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(db))) {
            TarArchiveEntry e = new TarArchiveEntry("hello-1.0-1/desc");
            e.setSize(desc.length);
            tar.putArchiveEntry(e);
            tar.write(desc);
            tar.closeArchiveEntry();
        }
        return Map.of(rootFile(), db.toByteArray());
    }
}

package dev.cacheproxy.modes.pacman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.modes.linuxrepo.PathKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

class PacmanLayoutTest {
    private final PacmanLayout layout = new PacmanLayout();

    @Test
    void classify_databasesAreRootsPerRepository_filesListsJoinOnDemand_packagesAreArtifacts() {
        assertEquals(new PathKind.Metadata("core/os/x86_64/core", true, null), layout.classify("core/os/x86_64/core.db"));
        assertEquals(new PathKind.Metadata("core/os/x86_64/core", true, null), layout.classify("core/os/x86_64/core.db.sig"));
        assertEquals(new PathKind.Metadata("x/custom", true, null), layout.classify("x/custom.db.tar.gz"));
        assertEquals(new PathKind.Metadata("x/custom", false, "files"), layout.classify("x/custom.files"));
        assertEquals(new PathKind.Metadata("x/custom", false, "files"), layout.classify("x/custom.files.tar.gz.sig"));
        assertInstanceOf(PathKind.Artifact.class, layout.classify("x/hello-1.0-1-any.pkg.tar.zst"));
        assertInstanceOf(PathKind.Artifact.class, layout.classify("x/hello-1.0-1-any.pkg.tar.zst.sig"));
        assertInstanceOf(PathKind.Unknown.class, layout.classify("x/README"));
        assertInstanceOf(PathKind.Unknown.class, layout.classify("x/.db"));
    }

    @Test
    void database_listsFileNameSumSizeAndSignature_gzipDetectedWithoutAnEnding() throws IOException {
        String sum = "ab".repeat(32);
        byte[] sig = {1, 2, 3, 4};
        byte[] db = dbTarGz(
                "hello-1.0-1/desc", "%FILENAME%\nhello-1.0-1-any.pkg.tar.zst\n\n%NAME%\nhello\n\n%CSIZE%\n1234\n\n"
                        + "%SHA256SUM%\n" + sum + "\n\n%PGPSIG%\n" + Base64.getEncoder().encodeToString(sig) + "\n\n",
                "hello-1.0-1/files", "%FILES%\nusr/\n",
                "bad-1/desc", "%FILENAME%\n../escape.pkg.tar.zst\n\n%SHA256SUM%\n" + sum + "\n");
        List<PacmanDb.Package> seen = new ArrayList<>();
        PacmanDb.forEach(new ByteArrayInputStream(db), seen::add);
        assertEquals(1, seen.size(), "a file name with a slash is never listed");
        assertEquals("hello-1.0-1-any.pkg.tar.zst", seen.get(0).fileName());
        assertEquals(Digest.sha256(sum), seen.get(0).sha256());
        assertEquals(1234, seen.get(0).size());
        assertEquals(List.of((byte) 1, (byte) 2, (byte) 3, (byte) 4),
                List.of(seen.get(0).signature()[0], seen.get(0).signature()[1], seen.get(0).signature()[2],
                        seen.get(0).signature()[3]));
    }

    private static byte[] dbTarGz(String... namesAndContents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                byte[] content = namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(namesAndContents[i]);
                e.setSize(content.length);
                t.putArchiveEntry(e);
                t.write(content);
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }
}

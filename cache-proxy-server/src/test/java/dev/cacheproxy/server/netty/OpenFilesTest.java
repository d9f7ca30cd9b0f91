package dev.cacheproxy.server.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.digest.Digest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The open-file cache of the hit path: shared channels, closed only when dropped and no longer written from. */
class OpenFilesTest {
    @TempDir
    Path dir;

    private BlobFile found(Path p) throws Exception {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        return new BlobFile(Digest.sha256Of(p.toString()), p, a.size(), a.fileKey());
    }

    private static String read(OpenFiles.Handle h) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(64);
        h.channel().read(b, 0);
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    @Test
    void aHotFileIsOpenedOnce_andSharedByItsResponses() throws Exception {
        Path p = Files.writeString(dir.resolve("blob"), "hot");
        try (OpenFiles files = new OpenFiles(8, Duration.ofMinutes(1))) {
            OpenFiles.Handle a = files.acquire(found(p));
            OpenFiles.Handle b = files.acquire(found(p));
            assertSame(a.channel(), b.channel());
            a.release();
            b.release();
            assertTrue(a.channel().isOpen(), "kept for the next hit");
            assertEquals(1, files.size());
        }
    }

    @Test
    void aFileReplacedAtThePath_isOpenedAnew_andTheOldChannelClosesAfterItsLastWrite() throws Exception {
        Path p = Files.writeString(dir.resolve("blob"), "damaged");
        try (OpenFiles files = new OpenFiles(8, Duration.ofMinutes(1))) {
            OpenFiles.Handle old = files.acquire(found(p));
            // quarantined, and a fresh verified copy published at the same path (a new inode)
            Files.move(p, dir.resolve("quarantined"));
            Path fresh = Files.writeString(dir.resolve("fresh"), "healthy");
            Files.move(fresh, p, StandardCopyOption.ATOMIC_MOVE);
            OpenFiles.Handle now = files.acquire(found(p));
            assertNotSame(old.channel(), now.channel());
            assertEquals("healthy", read(now));
            assertTrue(old.channel().isOpen(), "a response still writes from it");
            old.release();
            assertFalse(old.channel().isOpen(), "dropped by the cache and no longer used");
            now.release();
        }
    }

    @Test
    void pastTheBound_theLeastRecentlyUsedGoes_butNotUnderAWrite() throws Exception {
        Path a = Files.writeString(dir.resolve("a"), "a");
        Path b = Files.writeString(dir.resolve("b"), "b");
        try (OpenFiles files = new OpenFiles(1, Duration.ofMinutes(1))) {
            OpenFiles.Handle inUse = files.acquire(found(a));
            files.acquire(found(b)).release();
            assertEquals(1, files.size());
            assertTrue(inUse.channel().isOpen(), "evicted, but a response still writes from it");
            assertEquals("a", read(inUse));
            inUse.release();
            assertFalse(inUse.channel().isOpen());
        }
    }

    @Test
    void aBlobWithoutAFileIdentity_isNeverKeptOpen() throws Exception {
        Path p = Files.writeString(dir.resolve("blob"), "x");
        try (OpenFiles files = new OpenFiles(8, Duration.ofMinutes(1))) {
            OpenFiles.Handle h = files.acquire(new BlobFile(Digest.sha256Of("x"), p, 1));
            h.release();
            assertFalse(h.channel().isOpen());
            assertEquals(0, files.size());
        }
    }

    @Test
    void closingTheCache_closesWhatNoResponseUses() throws Exception {
        Path p = Files.writeString(dir.resolve("blob"), "x");
        OpenFiles files = new OpenFiles(8, Duration.ofMinutes(1));
        OpenFiles.Handle h = files.acquire(found(p));
        h.release();
        files.close();
        assertFalse(h.channel().isOpen());
    }
}

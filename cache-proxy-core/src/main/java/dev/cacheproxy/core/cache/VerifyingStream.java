package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.MultiDigester;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * An upstream body passed through unstored, checked as a stored one is: every byte is hashed as it goes
 * by, and the last one is handed out only once each expected digest matched. On a mismatch the reader
 * gets a {@link dev.cacheproxy.core.digest.DigestMismatchException} instead of the last byte, so the
 * response is cut short (the client sees it incomplete, never complete and wrong).
 */
final class VerifyingStream extends FilterInputStream {
    private final MultiDigester digester;
    /** The byte read but not handed out yet (it may be the last), or -1. */
    private int held = -1;
    private boolean ended;

    VerifyingStream(InputStream in, List<Digest> expected) {
        super(in);
        this.digester = new MultiDigester(expected);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (ended) {
            return -1;
        }
        if (held < 0) {
            held = in.read();
            if (held < 0) {
                end(); // an empty body
                return -1;
            }
        }
        // the held byte goes out first; what is read after it is kept back by one byte
        b[off] = (byte) held;
        int n = len > 1 ? in.read(b, off + 1, len - 1) : 0;
        if (n < 0 || (len == 1 && (n = lookAhead()) < 0)) {
            digester.update(ByteBuffer.wrap(b, off, 1));
            end(); // throws on a mismatch: the last byte never leaves
            return 1;
        }
        if (len == 1) {
            digester.update(ByteBuffer.wrap(b, off, 1));
            return 1;
        }
        held = b[off + n] & 0xff;
        digester.update(ByteBuffer.wrap(b, off, n));
        return n;
    }

    /** For a one-byte read: the next byte becomes the held one; -1 at the end of the body. */
    private int lookAhead() throws IOException {
        int next = in.read();
        if (next < 0) {
            return -1;
        }
        held = next;
        return 1;
    }

    private void end() throws IOException {
        ended = true;
        held = -1;
        digester.finishAndVerify();
    }
}

package dev.cacheproxy.modes.nix;

import dev.cacheproxy.core.http.UploadBody;
import java.io.ByteArrayInputStream;
import java.io.InputStream;

/** A small body this instance made itself (a narinfo with its signature added), stored like an upload. */
record BytesUpload(byte[] bytes) implements UploadBody {
    @Override
    public long declaredLength() {
        return bytes.length;
    }

    @Override
    public InputStream open() {
        return new ByteArrayInputStream(bytes);
    }
}

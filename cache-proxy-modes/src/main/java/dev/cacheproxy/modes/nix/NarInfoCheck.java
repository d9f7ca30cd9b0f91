package dev.cacheproxy.modes.nix;

import dev.cacheproxy.core.cache.FileCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The check a narinfo fetched from an upstream passes before it is stored: it describes the store path it
 * was asked for, names its NAR by the file hash (so the NAR is verified when it is fetched), and carries a
 * signature by one of the trusted keys. One per request: {@link #refusal} tells the caller why it was refused.
 */
final class NarInfoCheck implements FileCheck {
    private static final int MAX = 1 << 20;
    private final String hash;
    private final List<NixKeys.Trusted> trusted;
    private volatile String refusal;

    NarInfoCheck(String hash, List<NixKeys.Trusted> trusted) {
        this.hash = hash;
        this.trusted = trusted;
    }

    @Override
    public Optional<String> refuses(Path file) throws IOException {
        Optional<String> why = check(file);
        why.ifPresent(r -> refusal = r);
        return why;
    }

    /**
     * The same check of a narinfo passed through unstored (the storage full): at most {@code MAX} bytes of
     * {@code body} are read, and the text is returned when it passes.
     */
    Optional<String> passes(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(MAX + 1);
        String text = new String(bytes, StandardCharsets.UTF_8);
        Optional<String> why = bytes.length > MAX ? Optional.of("larger than " + MAX + " bytes") : check(text);
        why.ifPresent(r -> refusal = r);
        return why.isPresent() ? Optional.empty() : Optional.of(text);
    }

    private Optional<String> check(Path file) throws IOException {
        if (Files.size(file) > MAX) {
            return Optional.of("larger than " + MAX + " bytes");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return check(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private Optional<String> check(String text) {
        try {
            NarInfo info = NarInfo.parse(text);
            if (!info.hashPart().equals(hash)) {
                return Optional.of("it describes " + info.storePath() + ", not " + hash);
            }
            info.fileSha256();
            if (!info.signedByAny(trusted)) {
                return Optional.of("not signed by a trusted key (trusted_public_keys: "
                        + String.join(", ", trusted.stream().map(NixKeys.Trusted::name).toList()) + "; signed by: "
                        + (info.sigs().isEmpty() ? "nobody" : String.join(", ",
                                info.sigs().stream().map(s -> s.substring(0, Math.max(0, s.indexOf(':')))).toList())) + ")");
            }
            return Optional.empty();
        } catch (NarInfo.Invalid e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Why the last body checked was refused, or null. */
    String refusal() {
        return refusal;
    }
}

package dev.cacheproxy.modes.nix;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Nix's binary-cache keys: Ed25519, written {@code <name>:<base64>} ({@code nix-store
 * --generate-binary-cache-key NAME sk pk}). A public key is 32 bytes; a secret key is 64 (the seed, then
 * the public key). A narinfo's {@code Sig:} is {@code <name>:<base64 signature>} over its
 * {@linkplain NarInfo#fingerprint() fingerprint}. The JDK's Ed25519 does the work.
 */
final class NixKeys {
    /** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw 32 bytes follow. */
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private NixKeys() {}

    /** A key a narinfo's signature may be checked with. */
    record Trusted(String name, PublicKey key, String text) {
        /** Whether one of {@code sigs} ({@code name:base64}) is this key's signature of {@code fingerprint}. */
        boolean signed(String fingerprint, List<String> sigs) {
            for (String sig : sigs) {
                int colon = sig.indexOf(':');
                if (colon > 0 && sig.substring(0, colon).equals(name)) {
                    try {
                        Signature v = Signature.getInstance("Ed25519");
                        v.initVerify(key);
                        v.update(fingerprint.getBytes(StandardCharsets.UTF_8));
                        if (v.verify(Base64.getDecoder().decode(sig.substring(colon + 1)))) {
                            return true;
                        }
                    } catch (IllegalArgumentException | GeneralSecurityException e) {
                        // not base64, or not a signature of this length: not a valid signature by this key
                    }
                }
            }
            return false;
        }
    }

    /** This cache's own key, to sign narinfos with. */
    record Signing(String name, PrivateKey key, byte[] publicBytes) {
        String sign(String fingerprint) {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initSign(key);
                s.update(fingerprint.getBytes(StandardCharsets.UTF_8));
                return name + ":" + Base64.getEncoder().encodeToString(s.sign());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Ed25519 signing failed", e);
            }
        }

        /** The public half as Nix writes it ({@code name:base64}), for {@code trusted-public-keys}. */
        String publicKey() {
            return name + ":" + Base64.getEncoder().encodeToString(publicBytes);
        }

        @Override
        public String toString() {
            return "Signing[" + name + "]"; // never the key
        }
    }

    /** Parses {@code name:base64(32 bytes)}; empty with no reason given when it is not one. */
    static Optional<Trusted> publicKey(String text) {
        Optional<byte[]> raw = named(text, 32);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            byte[] der = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + 32);
            System.arraycopy(raw.get(), 0, der, X509_PREFIX.length, 32);
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            String t = text.strip();
            return Optional.of(new Trusted(t.substring(0, t.indexOf(':')), key, t));
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    /** Parses a secret key file's content, {@code name:base64(64 bytes)}; empty when it is not one. */
    static Optional<Signing> secretKey(String text) {
        String t = text.strip();
        Optional<byte[]> raw = named(t, 64);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            byte[] seed = Arrays.copyOf(raw.get(), 32);
            PrivateKey key = KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
            Signing signing = new Signing(t.substring(0, t.indexOf(':')), key, Arrays.copyOfRange(raw.get(), 32, 64));
            // the public half must be the seed's: else every signature would fail with the key readers trust
            Optional<Trusted> own = publicKey(signing.publicKey());
            String probe = "cache-proxy key check";
            return own.filter(k -> k.signed(probe, List.of(signing.sign(probe)))).map(k -> signing);
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    private static Optional<byte[]> named(String text, int bytes) {
        String t = text.strip();
        int colon = t.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        try {
            byte[] raw = Base64.getDecoder().decode(t.substring(colon + 1));
            return raw.length == bytes ? Optional.of(raw) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}

package dev.cacheproxy.server.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a PEM private key belongs to a certificate: signs a few bytes with the key and verifies them with
 * the certificate's public key. Neither TLS implementation checks this when a context is built, so a
 * rotation that pairs a new certificate with an old key would otherwise fail only in clients' handshakes.
 */
final class KeyPairCheck {
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final byte[] PROBE = "cache-proxy key check".getBytes(StandardCharsets.US_ASCII);

    private KeyPairCheck() {}

    /** Throws {@link IllegalArgumentException} when {@code keyFile} is not the private key of {@code leaf}. */
    static void requireMatch(X509Certificate leaf, Path certFile, Path keyFile) throws IOException {
        Matcher m = PKCS8.matcher(Files.readString(keyFile, StandardCharsets.US_ASCII));
        if (!m.find()) {
            throw new IllegalArgumentException(keyFile + " holds no PKCS#8 PEM private key (BEGIN PRIVATE KEY); "
                    + "'openssl pkcs8 -topk8 -nocrypt -in old.key -out new.key' converts one");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1)));
        String algorithm = leaf.getPublicKey().getAlgorithm();
        try {
            PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(spec);
            String scheme = switch (algorithm) {
                case "EC" -> "SHA256withECDSA";
                case "RSA" -> "SHA256withRSA";
                default -> algorithm; // Ed25519, Ed448
            };
            Signature signer = Signature.getInstance(scheme);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(scheme);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(PROBE);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException(keyFile + " is not the private key of the certificate in " + certFile);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(keyFile + " is not a " + algorithm + " private key matching the certificate in "
                    + certFile + " (" + e.getMessage() + ")", e);
        }
    }
}

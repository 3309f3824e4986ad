package io.taskqueue.gateway.internal;

import io.taskqueue.gateway.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;

/**
 * The server's certificate chain and key from PEM files, as the in-memory key store Jetty takes and
 * the key managers gRPC takes, so both protocols serve the same certificate from one loader.
 */
public final class PemKeyStore {

  /** The in-memory store's password: it never leaves the process. */
  public static final String PASSWORD = "taskqueue";

  private static final Pattern PRIVATE_KEY =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  private PemKeyStore() {}

  /**
   * @throws IllegalArgumentException naming the variable of the file that could not be used
   */
  public static KeyStore load(TlsSettings tls) {
    List<? extends Certificate> chain;
    try (InputStream in = Files.newInputStream(tls.certFile())) {
      chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "Expected TLS_CERT_FILE " + tls.certFile() + " to hold PEM certificates, but: " + e, e);
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(
          "Expected TLS_CERT_FILE " + tls.certFile() + " to hold a certificate, but it has none");
    }
    PrivateKey key = privateKey(tls);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("server", key, PASSWORD.toCharArray(), chain.toArray(Certificate[]::new));
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "Expected TLS_KEY_FILE to hold the key of the certificate in TLS_CERT_FILE, but: " + e,
          e);
    }
  }

  /** Key managers for gRPC's {@code TlsServerCredentials}. */
  public static KeyManager[] keyManagers(KeyStore store) {
    try {
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, PASSWORD.toCharArray());
      return factory.getKeyManagers();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("Expected a usable TLS key, but: " + e, e);
    }
  }

  private static PrivateKey privateKey(TlsSettings tls) {
    String pem;
    try {
      pem = Files.readString(tls.keyFile(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Expected TLS_KEY_FILE " + tls.keyFile() + " to be readable, but: " + e, e);
    }
    Matcher m = PRIVATE_KEY.matcher(pem);
    if (!m.find()) {
      throw new IllegalArgumentException(
          "Expected TLS_KEY_FILE "
              + tls.keyFile()
              + " to hold an unencrypted PKCS#8 key (BEGIN PRIVATE KEY), but it does not;"
              + " convert it with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(1));
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // Try the next algorithm: PKCS#8 names it, but KeyFactory wants to be told.
      }
    }
    throw new IllegalArgumentException(
        "Expected TLS_KEY_FILE " + tls.keyFile() + " to hold an RSA or EC key, but it is neither");
  }
}

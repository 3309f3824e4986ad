package io.taskqueue.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS for both APIs (HTTPS and gRPC over TLS on the same ports), off unless both files are given.
 * The files are read once at start-up; a renewed certificate needs a restart (a rolling one behind
 * a load balancer).
 *
 * @param certFile {@code TLS_CERT_FILE}: the server certificate chain, PEM, leaf first.
 * @param keyFile {@code TLS_KEY_FILE}: its private key, unencrypted PKCS#8 PEM ({@code BEGIN
 *     PRIVATE KEY}; convert others with {@code openssl pkcs8 -topk8 -nocrypt}), RSA or EC.
 */
public record TlsSettings(Path certFile, Path keyFile) {

  public TlsSettings {
    Objects.requireNonNull(certFile, "certFile");
    Objects.requireNonNull(keyFile, "keyFile");
    requireReadable("TLS_CERT_FILE", certFile);
    requireReadable("TLS_KEY_FILE", keyFile);
  }

  /**
   * TLS from {@code TLS_CERT_FILE} and {@code TLS_KEY_FILE}; empty when neither is set.
   *
   * @throws IllegalArgumentException when only one is set or a file is not readable
   */
  public static Optional<TlsSettings> fromEnvironment(Map<String, String> env) {
    String cert = text(env, "TLS_CERT_FILE");
    String key = text(env, "TLS_KEY_FILE");
    if (cert == null && key == null) {
      return Optional.empty();
    }
    if (cert == null || key == null) {
      throw new IllegalArgumentException(
          "Expected TLS_CERT_FILE and TLS_KEY_FILE together, but only "
              + (cert == null ? "TLS_KEY_FILE" : "TLS_CERT_FILE")
              + " is set");
    }
    return Optional.of(new TlsSettings(Path.of(cert), Path.of(key)));
  }

  private static void requireReadable(String name, Path file) {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(
          "Expected " + name + " to name a readable PEM file, but " + file + " is not readable");
    }
  }

  private static String text(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.strip();
  }
}

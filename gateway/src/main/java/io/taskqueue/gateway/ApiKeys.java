package io.taskqueue.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The API keys the gateway accepts, stored only as SHA-256 hashes. One key per line (or separated
 * by {@code ;} in an environment variable): {@code name:sha256-hex:scope,scope}, e.g. {@code
 * ci:9f86d0...:submit,read}; blank lines and lines starting with {@code #} are skipped.
 *
 * <p>Why a plain SHA-256 and not a password hash: the secrets are 256-bit random tokens minted by
 * {@link #mint}, so there is nothing to guess from a leaked hash and no need for a slow, salted
 * function (which would also cost milliseconds on every request). See ADR 0007.
 */
public final class ApiKeys implements Iterable<ApiKeys.ApiKey> {

  /** One configured key: its name (shown in logs and 403 messages), hash and scopes. */
  public record ApiKey(String name, byte[] sha256, Set<ApiScope> scopes) {

    public ApiKey {
      Objects.requireNonNull(name, "name");
      sha256 = sha256.clone();
      scopes = Set.copyOf(scopes);
    }

    /** The scopes in a stable order, e.g. {@code submit,read}. */
    public String scopeList() {
      return ApiScope.list(scopes);
    }

    /** The line that configures this key. */
    public String line() {
      return name + ":" + HexFormat.of().formatHex(sha256) + ":" + scopeList();
    }
  }

  /** A new key: the secret (shown once, never stored) and the key line to configure. */
  public record Minted(String secret, ApiKey key) {}

  /** Prefix of minted secrets, so a leaked one is recognisable (e.g. by secret scanners). */
  public static final String SECRET_PREFIX = "tq_";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ApiKeys NONE = new ApiKeys(List.of());

  private final List<ApiKey> keys;

  private ApiKeys(List<ApiKey> keys) {
    this.keys = List.copyOf(keys);
  }

  public static ApiKeys none() {
    return NONE;
  }

  public static ApiKeys of(List<ApiKey> keys) {
    Set<String> names = new HashSet<>();
    for (ApiKey key : keys) {
      if (!names.add(key.name())) {
        throw new IllegalArgumentException(
            "Expected each API key name once, but '" + key.name() + "' appears twice");
      }
    }
    return new ApiKeys(keys);
  }

  /**
   * Parses key lines.
   *
   * @param source where the text came from, for messages (e.g. {@code TASKQUEUE_API_KEYS})
   * @throws IllegalArgumentException naming the source and the line, never echoing a hash
   */
  public static ApiKeys parse(String text, String source) {
    List<ApiKey> keys = new ArrayList<>();
    String[] lines = text.split("[\\n;]");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      keys.add(parseLine(line, source + " entry " + (i + 1)));
    }
    try {
      return of(keys);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static ApiKey parseLine(String line, String where) {
    String[] parts = line.split(":", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "Expected "
              + where
              + " to read name:sha256-hex:scopes, but it has "
              + parts.length
              + " part(s) separated by ':'");
    }
    String name = parts[0].strip();
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "Expected "
              + where
              + " to start with a name of letters, digits, '.', '_' or '-', but got '"
              + name
              + "'");
    }
    String hex = parts[1].strip();
    if (!HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException(
          "Expected "
              + where
              + " ("
              + name
              + ") to hold a SHA-256 hash as 64 hex digits (see 'taskqueue keys create'), but it"
              + " has "
              + hex.length()
              + " character(s) there");
    }
    Set<ApiScope> scopes = EnumSet.noneOf(ApiScope.class);
    for (String scope : parts[2].split(",")) {
      if (!scope.isBlank()) {
        try {
          scopes.add(ApiScope.parse(scope));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + " (" + name + "): " + e.getMessage(), e);
        }
      }
    }
    if (scopes.isEmpty()) {
      throw new IllegalArgumentException(
          "Expected " + where + " (" + name + ") to list at least one scope, but it lists none");
    }
    return new ApiKey(
        name, HexFormat.of().parseHex(hex.toLowerCase(java.util.Locale.ROOT)), scopes);
  }

  /** A fresh secret of 256 random bits and its key line; the secret is not kept anywhere. */
  public static Minted mint(String name, Set<ApiScope> scopes) {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String secret = SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    ApiKey key = new ApiKey(name, sha256(secret), scopes);
    parseLine(key.line(), "the new key"); // validates name and scopes as a configured line would be
    return new Minted(secret, key);
  }

  /**
   * The key whose hash matches {@code secret}. Compares against every key in constant time per key,
   * so the answer's timing does not depend on which key (if any) matched.
   */
  public Optional<ApiKey> find(String secret) {
    if (secret == null || secret.isEmpty()) {
      return Optional.empty();
    }
    byte[] hash = sha256(secret);
    ApiKey match = null;
    for (ApiKey key : keys) {
      if (MessageDigest.isEqual(hash, key.sha256()) && match == null) {
        match = key;
      }
    }
    return Optional.ofNullable(match);
  }

  /** The key with this name, e.g. for a session that names its key. */
  public Optional<ApiKey> named(String name) {
    return keys.stream().filter(k -> k.name().equals(name)).findFirst();
  }

  @Override
  public java.util.Iterator<ApiKey> iterator() {
    return keys.iterator();
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  public int size() {
    return keys.size();
  }

  public static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JVM has SHA-256", e);
    }
  }

  /** Names and scopes only: hashes stay out of logs. */
  @Override
  public String toString() {
    return keys.stream()
        .map(k -> k.name() + "(" + k.scopeList() + ")")
        .collect(Collectors.joining(", ", "[", "]"));
  }
}

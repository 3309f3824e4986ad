package io.taskqueue.proto;

import java.util.regex.Pattern;

/**
 * Secrets out of text that gets logged or echoed in errors: connection URLs may carry a password
 * ({@code redis://:secret@host:6379}, {@code postgresql://user:secret@host/db}, {@code
 * jdbc:postgresql://host/db?password=secret}). Every place that prints settings or a URL goes
 * through here.
 */
public final class Redaction {

  public static final String MASK = "***";

  /**
   * {@code scheme://user:password@} and {@code scheme://:password@}: keep the user, mask the rest.
   */
  private static final Pattern USER_INFO_PASSWORD =
      Pattern.compile("(?<=://)([^:/@\\s]*):[^@/\\s]*@");

  /** {@code password=...} (and similar) in a query string or key/value list. */
  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("(?i)((?:password|passwd|pwd|secret|token|api[_-]?key)=)[^&;\\s]*");

  private Redaction() {}

  /** The URL with any password masked; null stays null. */
  public static String url(String url) {
    if (url == null) {
      return null;
    }
    String masked = USER_INFO_PASSWORD.matcher(url).replaceAll("$1:" + MASK + "@");
    return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1" + MASK);
  }

  /** {@link #MASK} for a non-empty secret, "" for none (so logs still tell whether one is set). */
  public static String secret(String secret) {
    return secret == null || secret.isEmpty() ? "" : MASK;
  }
}

package io.taskqueue.proto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Task identifiers. A plain submit gets a random UUID; a submit with an idempotency key gets a
 * name-based UUID (version 5) derived from (queue, key), so every duplicate of that submit lands on
 * the same task id, the same partition and the same stream task, which ignores it. No lock is
 * needed for deduplication.
 */
public final class TaskIds {

  /** Namespace for taskqueue's name-based ids (a fixed random UUID; never change it). */
  private static final UUID NAMESPACE = UUID.fromString("3f1d2c4e-9b7a-4e21-8d5c-6a0f2b9e7c13");

  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private TaskIds() {}

  public static String random() {
    return UUID.randomUUID().toString();
  }

  /** The task id owned by {@code (queue, idempotencyKey)}. */
  public static String forIdempotencyKey(String queue, String idempotencyKey) {
    return nameBased(queue + '\u0000' + idempotencyKey).toString();
  }

  /** True if {@code text} is a task id in canonical UUID form. */
  public static boolean isValid(String text) {
    return text != null && UUID_TEXT.matcher(text).matches();
  }

  private static UUID nameBased(String name) {
    MessageDigest sha1;
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required by every Java platform", e);
    }
    sha1.update(toBytes(NAMESPACE));
    byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
    hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
    hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
    long msb = 0;
    long lsb = 0;
    for (int i = 0; i < 8; i++) {
      msb = (msb << 8) | (hash[i] & 0xff);
    }
    for (int i = 8; i < 16; i++) {
      lsb = (lsb << 8) | (hash[i] & 0xff);
    }
    return new UUID(msb, lsb);
  }

  private static byte[] toBytes(UUID uuid) {
    byte[] out = new byte[16];
    long msb = uuid.getMostSignificantBits();
    long lsb = uuid.getLeastSignificantBits();
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (msb >>> (56 - 8 * i));
      out[8 + i] = (byte) (lsb >>> (56 - 8 * i));
    }
    return out;
  }
}

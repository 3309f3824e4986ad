package io.taskqueue.proto;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The keyset position of a task list: the last task of a page, in the list's order ({@code
 * created_at} descending, then {@code task_id} descending). The next page starts strictly after it,
 * so deep pages cost as much as the first and tasks created meanwhile never shift a page. Encoded
 * as opaque URL-safe text for {@code next_cursor}.
 */
public record ListCursor(long createdAt, String taskId) {

  private static final String VERSION = "v1";

  public String encode() {
    String plain = VERSION + ":" + createdAt + ":" + taskId;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  /** The cursor, or empty if the text is not one this class produced. */
  public static Optional<ListCursor> decode(String text) {
    try {
      String plain =
          new String(Base64.getUrlDecoder().decode(text.strip()), StandardCharsets.UTF_8);
      String[] parts = plain.split(":", 3);
      if (parts.length != 3 || !parts[0].equals(VERSION) || !TaskIds.isValid(parts[2])) {
        return Optional.empty();
      }
      return Optional.of(new ListCursor(Long.parseLong(parts[1]), parts[2]));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** True if a task at this position comes after the cursor in the list's order. */
  public boolean isBefore(long otherCreatedAt, String otherTaskId) {
    return otherCreatedAt < createdAt
        || (otherCreatedAt == createdAt && otherTaskId.compareTo(taskId) < 0);
  }
}

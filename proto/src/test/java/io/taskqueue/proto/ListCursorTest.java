package io.taskqueue.proto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ListCursorTest {

  private static final String ID = "5d1b3c0e-6f7a-4b8c-9d0e-1f2a3b4c5d6e";

  @Test
  void aCursorSurvivesTheRoundTripThroughItsUrlSafeText() {
    ListCursor cursor = new ListCursor(1_795_000_000_123L, ID);
    String text = cursor.encode();

    assertThat(text).matches("[A-Za-z0-9_-]+");
    assertThat(ListCursor.decode(text)).contains(cursor);
  }

  @Test
  void textThatNoCursorProducedIsRefused() {
    assertThat(ListCursor.decode("not-a-cursor")).isEmpty();
    assertThat(ListCursor.decode("")).isEmpty();
    assertThat(ListCursor.decode("%%%")).isEmpty();
    assertThat(ListCursor.decode(encoded("v1:5:not-a-uuid"))).isEmpty();
    assertThat(ListCursor.decode(encoded("v1:x:" + ID))).isEmpty();
    assertThat(ListCursor.decode(encoded("v0:5:" + ID))).isEmpty();
  }

  @Test
  void tasksAfterTheCursorAreOlderOrEqualInTimeWithASmallerId() {
    ListCursor cursor = new ListCursor(100, ID);
    String smallerId = "0" + ID.substring(1);
    assertThat(cursor.isBefore(99, ID)).isTrue();
    assertThat(cursor.isBefore(100, smallerId)).isTrue();
    assertThat(cursor.isBefore(100, ID)).isFalse();
    assertThat(cursor.isBefore(101, smallerId)).isFalse();
  }

  private static String encoded(String plain) {
    return Base64.getUrlEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }
}

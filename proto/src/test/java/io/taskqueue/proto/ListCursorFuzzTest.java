package io.taskqueue.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Optional;

/**
 * The list cursor arrives from clients ({@code ?cursor=}, gRPC {@code cursor}) and ends up bound
 * into SQL and compared with stored ids: any text must decode to either nothing or a cursor whose
 * task id is a valid UUID and that survives its own round trip. Never an exception (a client would
 * see a 500).
 */
class ListCursorFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void anyTextDecodesToNothingOrToAValidCursor(FuzzedDataProvider data) {
    String text =
        data.consumeBoolean()
            ? data.consumeRemainingAsString()
            : new ListCursor(data.consumeLong(), data.consumeRemainingAsString()).encode();

    Optional<ListCursor> cursor = ListCursor.decode(text);

    cursor.ifPresent(
        c -> {
          assertThat(TaskIds.isValid(c.taskId())).as("task id of %s", c).isTrue();
          assertThat(ListCursor.decode(c.encode())).contains(c);
        });
  }
}

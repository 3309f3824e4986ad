package io.taskqueue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.proto.internal.SubmitTask;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AcceptedTasksTest {

  private final AtomicLong now = new AtomicLong(1_795_000_000_000L);
  private final AcceptedTasks accepted =
      new AcceptedTasks(
          new InstantSource() {
            @Override
            public Instant instant() {
              return Instant.ofEpochMilli(now.get());
            }
          });

  private static SubmitTask submit(String id) {
    return SubmitTask.newBuilder().setTaskId(id).setQueue("default").setPayload("{}").build();
  }

  @Test
  void aTaskJustAcceptedIsFoundAsSentUntilItIsThirtySecondsOld() {
    accepted.remember(submit("t1"), "QUEUED");

    assertThat(accepted.find("t1")).get().extracting(t -> t.getStatus()).isEqualTo("QUEUED");
    now.addAndGet(30_001);
    assertThat(accepted.find("t1")).isEmpty();
  }

  @Test
  void aSteadyLoadKeepsOnlyTheLastThirtySecondsOfSubmits() {
    // 100 submits a second for two minutes: without expiry on insert, all 12,000 would stay
    for (int i = 0; i < 12_000; i++) {
      accepted.remember(submit("t" + i), "QUEUED");
      now.addAndGet(10);
    }

    assertThat(accepted.size()).isBetween(3_000, 3_001);
    assertThat(accepted.find("t11999")).isPresent();
  }
}

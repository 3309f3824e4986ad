package io.taskqueue.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PartitionOffsetsTest {

  private final PartitionOffsets offsets = new PartitionOffsets();

  @Test
  void nothingIsCommittableBeforeAnyRecord() {
    assertThat(offsets.committable()).isEmpty();
  }

  @Test
  void anUnsettledDispatchHoldsTheCommitSoItIsRedelivered() {
    offsets.received(10);
    offsets.received(11);
    offsets.received(12);

    offsets.settled(10);
    offsets.settled(12);

    assertThat(offsets.committable()).isEqualTo(OptionalLong.of(11));
  }

  @Test
  void theCommitMovesPastTheWholeSettledPrefix() {
    offsets.received(10);
    offsets.received(11);
    offsets.settled(11);
    offsets.settled(10);

    assertThat(offsets.committable()).isEqualTo(OptionalLong.of(12));
  }

  @Test
  void anAlreadyCommittedPositionIsNotCommittedAgain() {
    offsets.received(0);
    offsets.settled(0);
    offsets.committed(1);

    assertThat(offsets.committable()).isEmpty();
  }
}

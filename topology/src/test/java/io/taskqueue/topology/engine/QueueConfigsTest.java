package io.taskqueue.topology.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.proto.internal.QueueConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueConfigsTest {

  private static QueueConfig config(String queue, long version, boolean paused) {
    return QueueConfig.newBuilder().setQueue(queue).setVersion(version).setPaused(paused).build();
  }

  @Test
  void aPauseAppliedByTheOwningPartitionHoldsUntilTheGlobalTableCatchesUp() {
    // given the owner applied "pause" (version 2) and the global table still has version 1
    QueueConfigs configs = new QueueConfigs();
    configs.merge(Map.of("emails", config("emails", 1, false)));
    configs.put(config("emails", 2, true));

    // when the scheduler tick refreshes from the stale table
    configs.merge(Map.of("emails", config("emails", 1, false)));

    // then the queue stays paused
    assertThat(configs.get("emails").getPaused()).isTrue();
  }

  @Test
  void theTableWinsOnceItHasTheSameOrANewerVersion() {
    QueueConfigs configs = new QueueConfigs();
    configs.put(config("emails", 2, true));

    configs.merge(Map.of("emails", config("emails", 3, false)));

    assertThat(configs.get("emails").getPaused()).isFalse();
    assertThat(configs.get("emails").getVersion()).isEqualTo(3);
  }

  @Test
  void aResumeAppliedByTheOwningPartitionHoldsWhileTheTableStillSaysPaused() {
    // given the owner paused (v1, echoed by the table) and then resumed (v2, not yet echoed)
    QueueConfigs configs = new QueueConfigs();
    configs.put(config("emails", 1, true));
    configs.merge(Map.of("emails", config("emails", 1, true)));
    configs.put(config("emails", 2, false));

    // when ticks refresh from the table before and after it catches up
    configs.merge(Map.of("emails", config("emails", 1, true)));
    assertThat(configs.get("emails").getPaused()).isFalse();
    configs.merge(Map.of("emails", config("emails", 2, false)));

    // then the queue runs throughout
    assertThat(configs.get("emails").getPaused()).isFalse();
    assertThat(configs.get("emails").getVersion()).isEqualTo(2);
  }

  @Test
  void aPartitionThatOnlyReadsTheTableFollowsEveryVersionItSees() {
    QueueConfigs configs = new QueueConfigs();
    configs.merge(Map.of("emails", config("emails", 1, true)));
    assertThat(configs.get("emails").getPaused()).isTrue();

    configs.merge(Map.of("emails", config("emails", 2, false)));
    assertThat(configs.get("emails").getPaused()).isFalse();

    configs.merge(Map.of("emails", config("emails", 4, true)));
    assertThat(configs.get("emails").getPaused()).isTrue();

    configs.merge(Map.of("emails", config("emails", 5, false)));
    assertThat(configs.get("emails").getPaused()).isFalse();
  }

  @Test
  void aQueueNeverConfiguredIsRunningAndUnlimited() {
    QueueConfig unknown = new QueueConfigs().get("new-queue");
    assertThat(unknown.getPaused()).isFalse();
    assertThat(unknown.getMaxConcurrency()).isZero();
    assertThat(unknown.getRatePerSecond()).isZero();
  }
}

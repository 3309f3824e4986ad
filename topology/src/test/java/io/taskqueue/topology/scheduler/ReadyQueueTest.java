package io.taskqueue.topology.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.topology.scheduler.ReadyQueue.Entry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadyQueueTest {

  private static final int LEVELS = 11;

  private final ReadyQueue ready = new ReadyQueue(LEVELS);

  @Test
  void higherPriorityGoesFirstThenFirstInFirstOut() {
    // given tasks arriving in this order
    ready.add("emails", new Entry("low-1", 1, 1));
    ready.add("emails", new Entry("high-1", 9, 2));
    ready.add("emails", new Entry("mid-1", 5, 3));
    ready.add("emails", new Entry("high-2", 9, 4));
    ready.add("emails", new Entry("low-2", 1, 5));
    ready.add("emails", new Entry("mid-2", 5, 6));

    // when
    List<String> order = drain("emails");

    // then
    assertThat(order).containsExactly("high-1", "high-2", "mid-1", "mid-2", "low-1", "low-2");
  }

  @Test
  void fifoFollowsTheReadySequenceNotTheOrderOfArrival() {
    // given a task handed back with its old, earlier place in line
    ready.add("emails", new Entry("b", 5, 20));
    ready.add("emails", new Entry("c", 5, 30));
    ready.add("emails", new Entry("a", 5, 10));

    // when
    List<String> order = drain("emails");

    // then
    assertThat(order).containsExactly("a", "b", "c");
  }

  @Test
  void queuesAreOrderedIndependently() {
    // given
    ready.add("emails", new Entry("e1", 1, 1));
    ready.add("reports", new Entry("r1", 9, 2));
    ready.add("emails", new Entry("e2", 2, 3));

    // then
    assertThat(ready.peek("emails").taskId()).isEqualTo("e2");
    assertThat(ready.peek("reports").taskId()).isEqualTo("r1");
    assertThat(ready.size("emails")).isEqualTo(2);
    assertThat(ready.size("reports")).isEqualTo(1);
    assertThat(ready.nonEmptyQueues()).containsExactlyInAnyOrder("emails", "reports");
  }

  @Test
  void unknownQueueIsEmpty() {
    assertThat(ready.peek("nothing")).isNull();
    assertThat(ready.size("nothing")).isZero();
    assertThat(ready.depthByPriority("nothing")).hasSize(LEVELS).containsOnly(0);
  }

  @Test
  void depthCountsQueuedTasksPerPriority() {
    // given
    ready.add("emails", new Entry("a", 0, 1));
    ready.add("emails", new Entry("b", 7, 2));
    ready.add("emails", new Entry("c", 7, 3));
    ready.add("emails", new Entry("d", 10, 4));

    // when
    int[] depth = ready.depthByPriority("emails");

    // then
    assertThat(depth).hasSize(LEVELS);
    assertThat(depth[0]).isEqualTo(1);
    assertThat(depth[7]).isEqualTo(2);
    assertThat(depth[10]).isEqualTo(1);
    assertThat(sum(depth)).isEqualTo(ready.size("emails"));
  }

  @Test
  void addingTheSameEntryTwiceCountsItOnce() {
    // given
    ready.add("emails", new Entry("a", 3, 1));

    // when
    ready.add("emails", new Entry("a", 3, 1));

    // then
    assertThat(ready.size("emails")).isEqualTo(1);
    assertThat(ready.depthByPriority("emails")[3]).isEqualTo(1);
  }

  @Test
  void removeTakesTheTaskOutOfLineAndOutOfTheDepth() {
    // given
    ready.add("emails", new Entry("a", 9, 1));
    ready.add("emails", new Entry("b", 9, 2));

    // when
    ready.remove("emails", new Entry("a", 9, 1));

    // then
    assertThat(ready.peek("emails").taskId()).isEqualTo("b");
    assertThat(ready.size("emails")).isEqualTo(1);
    assertThat(ready.depthByPriority("emails")[9]).isEqualTo(1);
  }

  @Test
  void removeOfAnEntryThatIsNotInLineChangesNothing() {
    // given
    ready.add("emails", new Entry("a", 9, 1));

    // when: another place in line, another queue, an unknown task
    ready.remove("emails", new Entry("a", 9, 2));
    ready.remove("reports", new Entry("a", 9, 1));
    ready.remove("emails", new Entry("zzz", 9, 1));

    // then
    assertThat(ready.size("emails")).isEqualTo(1);
    assertThat(ready.depthByPriority("emails")[9]).isEqualTo(1);
  }

  @Test
  void emptiedQueueIsNoLongerNonEmptyButKeepsAZeroDepth() {
    // given
    ready.add("emails", new Entry("a", 4, 1));

    // when
    ready.remove("emails", new Entry("a", 4, 1));

    // then
    assertThat(ready.nonEmptyQueues()).isEmpty();
    assertThat(ready.knownQueues()).containsExactly("emails");
    assertThat(ready.depthByPriority("emails")).containsOnly(0);
  }

  @Test
  void depthIsACopy() {
    // given
    ready.add("emails", new Entry("a", 4, 1));

    // when
    ready.depthByPriority("emails")[4] = 99;

    // then
    assertThat(ready.depthByPriority("emails")[4]).isEqualTo(1);
  }

  @Test
  void priorityOutsideTheLevelsIsCountedAtTheNearestLevel() {
    // when
    ready.add("emails", new Entry("a", 42, 1));
    ready.add("emails", new Entry("b", -1, 2));

    // then
    assertThat(ready.depthByPriority("emails")[LEVELS - 1]).isEqualTo(1);
    assertThat(ready.depthByPriority("emails")[0]).isEqualTo(1);
    assertThat(drain("emails")).containsExactly("a", "b");
  }

  @Test
  void clearForgetsEverything() {
    // given
    ready.add("emails", new Entry("a", 4, 1));

    // when
    ready.clear();

    // then
    assertThat(ready.size("emails")).isZero();
    assertThat(ready.nonEmptyQueues()).isEmpty();
    assertThat(ready.knownQueues()).isEmpty();
  }

  private List<String> drain(String queue) {
    List<String> order = new ArrayList<>();
    for (Entry next = ready.peek(queue); next != null; next = ready.peek(queue)) {
      order.add(next.taskId());
      ready.remove(queue, next);
    }
    return order;
  }

  private static int sum(int[] values) {
    int total = 0;
    for (int v : values) {
      total += v;
    }
    return total;
  }
}

package io.taskqueue.topology.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Checks a property on random histories (lists of actions) and shrinks a failing history by
 * dropping actions while it still fails. Works when every sub-list of a history is itself a valid
 * history, i.e. actions are interpreted against whatever state they meet.
 *
 * <p>Each try has its own seed, named in the failure; {@code -Dtaskqueue.properties.seed=N} makes
 * the first try use seed N, so a failure is replayed at once.
 */
final class HistoryProperty<A> {

  static final String SEED_PROPERTY = "taskqueue.properties.seed";

  private final int tries;
  private final Function<SplittableRandom, List<A>> generator;

  HistoryProperty(int tries, Function<SplittableRandom, List<A>> generator) {
    this.tries = tries;
    this.generator = generator;
  }

  /** Runs {@code property} on every try; throws for the first failing one, shrunk. */
  void check(Consumer<List<A>> property) {
    String fixed = System.getProperty(SEED_PROPERTY);
    long first = fixed != null ? Long.parseLong(fixed) : ThreadLocalRandom.current().nextLong();
    for (int i = 0; i < tries; i++) {
      long seed = first + i;
      List<A> history = generator.apply(new SplittableRandom(seed));
      AssertionError failure = failureOf(property, history);
      if (failure != null) {
        List<A> shrunk = shrink(property, history);
        AssertionError last = failureOf(property, shrunk);
        AssertionError cause = last != null ? last : failure;
        StringBuilder message =
            new StringBuilder("Property failed for seed ")
                .append(seed)
                .append(" (rerun with -D")
                .append(SEED_PROPERTY)
                .append('=')
                .append(seed)
                .append("); shortest failing history of ")
                .append(shrunk.size())
                .append(" actions (from ")
                .append(history.size())
                .append("):\n");
        shrunk.forEach(a -> message.append("  ").append(a).append('\n'));
        message.append("failure: ").append(cause.getMessage());
        throw new AssertionError(message.toString(), cause);
      }
    }
  }

  private AssertionError failureOf(Consumer<List<A>> property, List<A> history) {
    try {
      property.accept(history);
      return null;
    } catch (AssertionError e) {
      return e;
    }
  }

  /** Drops one action at a time, keeping each drop after which the history still fails. */
  private List<A> shrink(Consumer<List<A>> property, List<A> history) {
    List<A> current = new ArrayList<>(history);
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int i = current.size() - 1; i >= 0; i--) {
        List<A> candidate = new ArrayList<>(current);
        candidate.remove(i);
        if (failureOf(property, candidate) != null) {
          current = candidate;
          progress = true;
        }
      }
    }
    return current;
  }
}

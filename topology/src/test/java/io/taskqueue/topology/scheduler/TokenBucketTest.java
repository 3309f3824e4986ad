package io.taskqueue.topology.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private static final long T = 1_772_355_600_000L;

  @Test
  void fullBurstIsAvailableAtOnce() {
    // given 10 per second, bursts of 5
    TokenBucket bucket = new TokenBucket(10, 5, T);

    // then
    assertThat(acquireAll(bucket, T)).isEqualTo(5);
  }

  @Test
  void tokensComeBackWithTime() {
    // given an empty bucket at 10 per second
    TokenBucket bucket = new TokenBucket(10, 5, T);
    acquireAll(bucket, T);

    // then one token per 100 ms
    assertThat(bucket.tryAcquire(T + 99)).isFalse();
    assertThat(bucket.tryAcquire(T + 101)).isTrue();
    assertThat(bucket.tryAcquire(T + 101)).isFalse();
    assertThat(acquireAll(bucket, T + 401)).isEqualTo(3);
  }

  @Test
  void idleTimeSavesUpNoMoreThanTheBurst() {
    // given
    TokenBucket bucket = new TokenBucket(10, 5, T);
    acquireAll(bucket, T);

    // when an hour passes
    long later = T + 3_600_000;

    // then
    assertThat(acquireAll(bucket, later)).isEqualTo(5);
  }

  @Test
  void rateZeroIsUnlimited() {
    // given
    TokenBucket bucket = new TokenBucket(0, 1, T);

    // then
    assertThat(bucket.unlimited()).isTrue();
    for (int i = 0; i < 10_000; i++) {
      assertThat(bucket.tryAcquire(T)).isTrue();
    }
  }

  @Test
  void burstBelowOneStillLetsOneThrough() {
    // given
    TokenBucket bucket = new TokenBucket(1, 0, T);

    // then
    assertThat(acquireAll(bucket, T)).isEqualTo(1);
  }

  @Test
  void reconfigureKeepsTheTokensAlreadyEarned() {
    // given an empty bucket that earns 2 tokens in 200 ms at 10 per second
    TokenBucket bucket = new TokenBucket(10, 5, T);
    acquireAll(bucket, T);

    // when the rate and burst go up at that moment
    bucket.configure(100, 50, T + 200);

    // then the earned tokens are kept, not topped up to the new burst
    assertThat(acquireAll(bucket, T + 200)).isEqualTo(2);
    assertThat(acquireAll(bucket, T + 250)).as("5 more at the new rate").isEqualTo(5);
  }

  @Test
  void reconfigureCapsTheTokensAtTheNewBurst() {
    // given a full bucket of 10
    TokenBucket bucket = new TokenBucket(10, 10, T);

    // when the burst goes down to 3
    bucket.configure(10, 3, T);

    // then
    assertThat(acquireAll(bucket, T)).isEqualTo(3);
  }

  @Test
  void reconfigureToUnlimitedAndBack() {
    // given
    TokenBucket bucket = new TokenBucket(10, 2, T);
    acquireAll(bucket, T);

    // when
    bucket.configure(0, 2, T);

    // then
    assertThat(bucket.unlimited()).isTrue();
    assertThat(bucket.tryAcquire(T)).isTrue();

    // when limited again
    bucket.configure(10, 2, T);

    // then no tokens were minted while unlimited
    assertThat(bucket.unlimited()).isFalse();
    assertThat(bucket.tryAcquire(T)).isFalse();
  }

  @Test
  void clockGoingBackwardsMintsNoTokens() {
    // given
    TokenBucket bucket = new TokenBucket(10, 1, T);
    acquireAll(bucket, T + 1_000);

    // then
    assertThat(bucket.tryAcquire(T)).isFalse();
    assertThat(bucket.tryAcquire(T + 1_000)).isFalse();
    assertThat(bucket.tryAcquire(T + 1_101)).isTrue();
  }

  private static int acquireAll(TokenBucket bucket, long now) {
    int taken = 0;
    while (taken < 1_000 && bucket.tryAcquire(now)) {
      taken++;
    }
    return taken;
  }
}

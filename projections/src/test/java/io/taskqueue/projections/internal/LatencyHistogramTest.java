package io.taskqueue.projections.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void percentilesOfUniformValuesAreWithinOneBucketOfTheTruth() {
    LatencyHistogram h = new LatencyHistogram();
    for (int ms = 1; ms <= 1000; ms++) {
      h.record(ms);
    }
    assertThat(h.count()).isEqualTo(1000);
    assertThat(h.percentile(0.50)).isCloseTo(500, within(125.0));
    assertThat(h.percentile(0.99)).isCloseTo(990, within(250.0));
    assertThat(h.percentile(0.99)).isLessThanOrEqualTo(1000);
  }

  @Test
  void mergedHistogramsAnswerAsIfAllValuesWereRecordedInOne() {
    LatencyHistogram fast = new LatencyHistogram();
    LatencyHistogram slow = new LatencyHistogram();
    for (int i = 0; i < 99; i++) {
      fast.record(2);
    }
    slow.record(30_000);
    LatencyHistogram merged = LatencyHistogram.of(fast.counts());
    merged.add(LatencyHistogram.of(slow.counts()));

    assertThat(merged.count()).isEqualTo(100);
    assertThat(merged.percentile(0.5)).isLessThanOrEqualTo(2);
    assertThat(merged.percentile(1.0)).isGreaterThan(20_000).isLessThanOrEqualTo(30_000);
  }

  @Test
  void emptyAnswersZeroAndHugeValuesLandInTheLastBucket() {
    assertThat(new LatencyHistogram().percentile(0.99)).isZero();
    LatencyHistogram h = new LatencyHistogram();
    h.record(-5);
    h.record(Long.MAX_VALUE);
    assertThat(h.percentile(0.0)).isLessThanOrEqualTo(1);
    assertThat(h.percentile(1.0))
        .isEqualTo(LatencyHistogram.BOUNDS_MS[LatencyHistogram.BOUNDS_MS.length - 1]);
  }
}

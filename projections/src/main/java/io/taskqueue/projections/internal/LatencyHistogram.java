package io.taskqueue.projections.internal;

import java.util.Arrays;

/**
 * Counts of durations in fixed log-scale buckets, mergeable by adding counts: what the PostgreSQL
 * read model stores per queue and 10-second window so that percentiles over any recent span are a
 * sum of a few rows. Bucket {@code i} holds values in {@code (BOUNDS_MS[i-1], BOUNDS_MS[i]]}
 * (bucket 0 from 0, the last one everything above the largest bound); bounds follow the
 * 1-1.2-1.5-2-2.5-3-4-5-6-8 series per decade from 1 ms to about 22 hours, so a percentile is off
 * by at most one bucket width (about 25 %).
 */
public final class LatencyHistogram {

  static final long[] BOUNDS_MS = bounds();

  /** Number of buckets: one per bound plus the overflow bucket. */
  public static final int BUCKETS = BOUNDS_MS.length + 1;

  private final long[] counts;

  public LatencyHistogram() {
    this(new long[BUCKETS]);
  }

  private LatencyHistogram(long[] counts) {
    this.counts = counts;
  }

  /** A histogram over stored counts; shorter arrays (an older layout) are padded with zeros. */
  public static LatencyHistogram of(long[] counts) {
    return new LatencyHistogram(Arrays.copyOf(counts, BUCKETS));
  }

  public void record(long millis) {
    counts[bucketOf(Math.max(0, millis))]++;
  }

  public void add(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
  }

  public long count() {
    long n = 0;
    for (long c : counts) {
      n += c;
    }
    return n;
  }

  /**
   * The value at quantile {@code q} (0..1), interpolated linearly inside its bucket; 0 when empty.
   * The overflow bucket answers with the largest bound.
   */
  public double percentile(double q) {
    long total = count();
    if (total == 0) {
      return 0;
    }
    double rank = Math.max(1, Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (counts[i] == 0) {
        continue;
      }
      if (seen + counts[i] >= rank) {
        if (i == BOUNDS_MS.length) {
          return BOUNDS_MS[BOUNDS_MS.length - 1];
        }
        double lower = i == 0 ? 0 : BOUNDS_MS[i - 1];
        double upper = BOUNDS_MS[i];
        return lower + (upper - lower) * ((rank - seen) / counts[i]);
      }
      seen += counts[i];
    }
    return BOUNDS_MS[BOUNDS_MS.length - 1];
  }

  public long[] counts() {
    return counts.clone();
  }

  static int bucketOf(long millis) {
    int i = Arrays.binarySearch(BOUNDS_MS, millis);
    return i >= 0 ? i : -i - 1;
  }

  private static long[] bounds() {
    double[] series = {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8};
    long[] out = new long[series.length * 8];
    long decade = 1;
    int n = 0;
    for (int d = 0; d < 8; d++) {
      for (double s : series) {
        out[n++] = Math.round(s * decade);
      }
      decade *= 10;
    }
    // 1.2 and 1.5 round to 1 and 2 in the first decade: keep bounds strictly increasing.
    return Arrays.stream(out).distinct().toArray();
  }
}

package io.taskqueue.launcher.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A latency distribution (HdrHistogram, 3 significant digits) shown as p50/p90/p99/p99.9/max in
 * milliseconds. Record from many threads through {@link #recorder()}, or build one from a finished
 * histogram.
 */
final class LatencyReport {

  private final Recorder recorder;
  private Histogram histogram;

  private LatencyReport(Recorder recorder, Histogram histogram) {
    this.recorder = recorder;
    this.histogram = histogram;
  }

  /** An empty report that threads record into (values in nanoseconds). */
  static LatencyReport recording() {
    return new LatencyReport(new Recorder(3), null);
  }

  /** Records a latency in nanoseconds; negative values (clock skew) count as 0. */
  void recordNanos(long nanos) {
    recorder.recordValue(Math.max(0, nanos));
  }

  /** Records a latency in milliseconds, as the task timestamps give it. */
  void recordMillis(long millis) {
    recordNanos(millis * 1_000_000L);
  }

  Recorder recorder() {
    return recorder;
  }

  /** The distribution so far; later recordings are not included. */
  synchronized Histogram histogram() {
    Histogram interval = recorder.getIntervalHistogram();
    if (histogram == null) {
      histogram = interval;
    } else {
      histogram.add(interval);
    }
    return histogram;
  }

  long count() {
    return histogram().getTotalCount();
  }

  double percentileMs(double percentile) {
    Histogram h = histogram();
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e6;
  }

  double maxMs() {
    Histogram h = histogram();
    return h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1e6;
  }

  /** p50, p90, p99, p999, max (ms) and count, for the JSON line. */
  Map<String, Object> figures() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("p50", round(percentileMs(50)));
    out.put("p90", round(percentileMs(90)));
    out.put("p99", round(percentileMs(99)));
    out.put("p999", round(percentileMs(99.9)));
    out.put("max", round(maxMs()));
    out.put("count", count());
    return out;
  }

  /** One table row: "p50 0.412 p90 ... (n)". */
  String row() {
    return String.format(
        Locale.ROOT,
        "p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (n=%d)",
        percentileMs(50),
        percentileMs(90),
        percentileMs(99),
        percentileMs(99.9),
        maxMs(),
        count());
  }

  private static double round(double ms) {
    return Math.round(ms * 1000) / 1000.0;
  }
}

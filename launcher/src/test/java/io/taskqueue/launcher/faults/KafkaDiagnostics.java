package io.taskqueue.launcher.faults;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * What the broker knows when an engine is stuck, written next to the roles' logs: the finalized
 * feature levels (transaction.version), every partition whose last stable offset lags its high
 * watermark (an open transaction holds read_committed readers there) with the producers holding it,
 * every transaction the coordinator tracks, and every consumer group's state, members and committed
 * offsets. It exists to diagnose the engine that stays out of RUNNING after a broker restart
 * (RELIABILITY.md); each step that fails is written as its error, not thrown.
 */
final class KafkaDiagnostics {

  private KafkaDiagnostics() {}

  /** Writes the report to {@code <dir>/kafka-state-<millis>.txt} and returns the path. */
  static Path dump(String bootstrapServers, Path dir) throws IOException {
    StringWriter text = new StringWriter();
    try (PrintWriter out = new PrintWriter(text)) {
      report(bootstrapServers, out);
    }
    Files.createDirectories(dir);
    Path file = dir.resolve("kafka-state-" + System.currentTimeMillis() + ".txt");
    Files.writeString(file, text.toString());
    return file;
  }

  private static void report(String bootstrapServers, PrintWriter out) {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10_000))) {
      out.println("# Kafka state at " + Instant.now());
      step(out, "features", () -> features(admin, out));
      step(out, "partitions whose last stable offset lags", () -> stableOffsets(admin, out));
      step(out, "transactions", () -> transactions(admin, out));
      step(out, "consumer groups", () -> groups(admin, out));
    } catch (RuntimeException e) {
      out.println("cannot reach the broker: " + e);
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void step(PrintWriter out, String title, Step step) {
    out.println();
    out.println("## " + title);
    try {
      step.run();
    } catch (Exception e) {
      out.println("failed: " + e);
    }
  }

  private static void features(Admin admin, PrintWriter out) throws Exception {
    admin
        .describeFeatures()
        .featureMetadata()
        .get(10, TimeUnit.SECONDS)
        .finalizedFeatures()
        .forEach((name, range) -> out.println(name + " = " + range.maxVersionLevel()));
  }

  private static void stableOffsets(Admin admin, PrintWriter out) throws Exception {
    Set<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS);
    Map<TopicPartition, OffsetSpec> latest = new TreeMap<>(KafkaDiagnostics::compare);
    for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get().values()) {
      d.partitions()
          .forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), latest()));
    }
    Map<TopicPartition, ListOffsetsResultInfo> end =
        admin
            .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
            .all()
            .get(10, TimeUnit.SECONDS);
    Map<TopicPartition, ListOffsetsResultInfo> stable =
        admin
            .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
            .all()
            .get(10, TimeUnit.SECONDS);
    List<TopicPartition> held = new ArrayList<>();
    for (TopicPartition tp : latest.keySet()) {
      long hw = end.get(tp).offset();
      long lso = stable.get(tp).offset();
      if (lso < hw) {
        held.add(tp);
        out.println(tp + ": last stable offset " + lso + " < high watermark " + hw);
      }
    }
    out.println(latest.size() + " partitions, " + held.size() + " with an open transaction");
    if (held.isEmpty()) {
      return;
    }
    Map<TopicPartition, PartitionProducerState> producers =
        admin.describeProducers(held).all().get(10, TimeUnit.SECONDS);
    producers.forEach(
        (tp, state) -> {
          for (ProducerState p : state.activeProducers()) {
            if (p.currentTransactionStartOffset().isPresent()) {
              out.println(
                  "  "
                      + tp
                      + " producer "
                      + p.producerId()
                      + " epoch "
                      + p.producerEpoch()
                      + " transaction open since offset "
                      + p.currentTransactionStartOffset().getAsLong()
                      + ", last write "
                      + Instant.ofEpochMilli(p.lastTimestamp()));
            }
          }
        });
  }

  private static OffsetSpec latest() {
    return OffsetSpec.latest();
  }

  private static void transactions(Admin admin, PrintWriter out) throws Exception {
    List<String> ids = new ArrayList<>();
    for (TransactionListing t : admin.listTransactions().all().get(10, TimeUnit.SECONDS)) {
      ids.add(t.transactionalId());
    }
    if (ids.isEmpty()) {
      out.println("none");
      return;
    }
    Map<String, TransactionDescription> all =
        admin.describeTransactions(ids).all().get(10, TimeUnit.SECONDS);
    all.forEach(
        (id, t) ->
            out.println(
                id
                    + ": "
                    + t.state()
                    + " producer "
                    + t.producerId()
                    + " epoch "
                    + t.producerEpoch()
                    + " timeout "
                    + t.transactionTimeoutMs()
                    + " ms, started "
                    + (t.transactionStartTimeMs().isPresent()
                        ? Instant.ofEpochMilli(t.transactionStartTimeMs().getAsLong())
                        : "-")
                    + ", partitions "
                    + t.topicPartitions()));
  }

  private static void groups(Admin admin, PrintWriter out) throws Exception {
    List<String> ids = new ArrayList<>();
    admin
        .listGroups()
        .all()
        .get(10, TimeUnit.SECONDS)
        .forEach(
            g -> {
              if (g.type().orElse(GroupType.CLASSIC) != GroupType.SHARE) {
                ids.add(g.groupId());
              }
            });
    Map<String, ConsumerGroupDescription> groups =
        admin.describeConsumerGroups(ids).all().get(10, TimeUnit.SECONDS);
    for (ConsumerGroupDescription g : groups.values()) {
      out.println(
          g.groupId()
              + ": "
              + g.groupState()
              + " ("
              + g.type()
              + "), coordinator "
              + g.coordinator()
              + ", "
              + g.members().size()
              + " members");
      g.members()
          .forEach(
              m ->
                  out.println(
                      "  " + m.consumerId() + " " + m.assignment().topicPartitions().toString()));
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(g.groupId()).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetAndMetadata> sorted = new TreeMap<>(KafkaDiagnostics::compare);
      sorted.putAll(committed);
      sorted.forEach((tp, o) -> out.println("  committed " + tp + " = " + o.offset()));
    }
  }

  private static int compare(TopicPartition a, TopicPartition b) {
    int c = a.topic().compareTo(b.topic());
    return c != 0 ? c : Integer.compare(a.partition(), b.partition());
  }
}

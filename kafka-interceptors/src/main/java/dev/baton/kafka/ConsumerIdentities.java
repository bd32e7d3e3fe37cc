package dev.baton.kafka;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Which consumer (group and client id) last polled each partition in this JVM, so that
 * {@code KafkaTracing.process}, called later and on any thread, can name the consumer group of a
 * record. One entry per partition, written once per partition and batch and only when it changes.
 *
 * <p>Why not remember each record's extracted context? That was the first design: a weak map keyed
 * by record. Measured with JMH, every entry outlived a young collection until its record died,
 * so a busy consumer promoted them all and spent a third of its time in GC (see
 * {@code docs/benchmarks.md}). Reading the headers again at processing time costs less than a
 * microsecond and needs no memory between poll and processing.
 *
 * <p>When two consumers of different groups poll the same partition in one JVM, the partition's
 * identity is ambiguous and processing spans carry no group rather than a wrong one.
 */
final class ConsumerIdentities {

  /** Partitions remembered at most; beyond, new partitions go unnamed rather than grow memory. */
  static final int MAX_PARTITIONS = 65_536;

  private static final Identity AMBIGUOUS = new Identity(null, null);
  private static final Map<TopicPartition, Identity> BY_PARTITION = new ConcurrentHashMap<>();

  private ConsumerIdentities() {}

  static void polled(TopicPartition partition, Identity consumer) {
    Identity known = BY_PARTITION.get(partition);
    if (known == consumer || known == AMBIGUOUS) {
      return;
    }
    if (known == null && BY_PARTITION.size() >= MAX_PARTITIONS) {
      return;
    }
    if (known == null || known.sameGroup(consumer)) {
      BY_PARTITION.put(partition, consumer);
    } else {
      BY_PARTITION.put(partition, AMBIGUOUS);
    }
  }

  /**
   * Forgets the partitions {@code consumer} polled, when it closes: a consumer of another group may
   * take them over later. Partitions left ambiguous stay so until every consumer of them closed
   * (the map cannot tell whose they were), after which they are forgotten too.
   */
  static void closed(Identity consumer) {
    BY_PARTITION.values().removeIf(known -> known == consumer);
  }

  /** Forgets partitions marked ambiguous; called when no consumer of this JVM remains open. */
  static void clearAmbiguous() {
    BY_PARTITION.values().removeIf(known -> known == AMBIGUOUS);
  }

  static int size() {
    return BY_PARTITION.size();
  }

  static Identity of(String topic, int partition) {
    return BY_PARTITION.get(new TopicPartition(topic, partition));
  }

  /** A consumer's group and client id; either may be {@code null}. */
  static final class Identity {
    final String groupId;
    final String clientId;

    Identity(String groupId, String clientId) {
      this.groupId = groupId;
      this.clientId = clientId;
    }

    boolean sameGroup(Identity other) {
      return Objects.equals(groupId, other.groupId);
    }
  }
}

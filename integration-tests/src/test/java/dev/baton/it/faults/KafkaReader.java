package dev.baton.it.faults;

import dev.baton.core.ProcessingScope;
import dev.baton.kafka.KafkaTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadableSpan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads every partition of a topic from the beginning (assigned, no group: nothing is read twice
 * because of a rebalance) and processes each record inside {@code KafkaTracing.startProcessing},
 * checking there that the process span is current, is the child of the send span the record's
 * {@code traceparent} names, in its trace, and that no context is left on the thread afterwards.
 * Records are {@code <sender>:<id>}; it counts, per sender, which ids arrived and which twice.
 * Runs on its own thread (the consumer is created and closed there) until {@link #stop()}.
 */
final class KafkaReader implements Runnable {

  private final KafkaTracing tracing;
  private final Map<String, Object> config;
  private final List<TopicPartition> partitions;
  private final boolean keepSpanIds;

  private final Map<String, BitSet> seen = new HashMap<>();
  private final Map<String, List<Integer>> twice = new HashMap<>();
  /** With keepSpanIds: each record processed, as {sender, id, send span id from the header}. */
  final List<String[]> processedRecords = new ArrayList<>();
  final AtomicLong processed = new AtomicLong();
  final AtomicLong wrongParent = new AtomicLong();
  final AtomicLong leakedContext = new AtomicLong();
  private final AtomicInteger distinct = new AtomicInteger();
  private volatile boolean stopping;
  volatile Throwable error;

  KafkaReader(KafkaTracing tracing, String bootstrapServers, String topic, int partitions,
      boolean keepSpanIds) {
    this.tracing = tracing;
    this.config = new HashMap<>(tracing.consumerProperties());
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    this.partitions = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      this.partitions.add(new TopicPartition(topic, p));
    }
    this.keepSpanIds = keepSpanIds;
  }

  @Override
  public void run() {
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (!stopping) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          process(record);
        }
      }
    } catch (Throwable t) {
      error = t;
    }
  }

  private void process(ConsumerRecord<String, String> record) {
    Header traceparent = record.headers().lastHeader("traceparent");
    String sendSpanId = KafkaSender.spanIdOf(traceparent);
    try (ProcessingScope scope = tracing.startProcessing(record)) {
      Span current = Span.current();
      if (current != scope.span() || sendSpanId == null
          || !((ReadableSpan) current).getParentSpanContext().getSpanId().equals(sendSpanId)
          || !current.getSpanContext().getTraceId().equals(KafkaSender.traceIdOf(traceparent))) {
        wrongParent.incrementAndGet();
      }
      String value = record.value();
      int colon = value.lastIndexOf(':');
      String sender = value.substring(0, colon);
      int id = Integer.parseInt(value.substring(colon + 1));
      synchronized (this) {
        BitSet ids = seen.computeIfAbsent(sender, k -> new BitSet());
        if (ids.get(id)) {
          twice.computeIfAbsent(sender, k -> new ArrayList<>()).add(id);
        } else {
          ids.set(id);
          distinct.incrementAndGet();
        }
        if (keepSpanIds) {
          processedRecords.add(new String[] {sender, Integer.toString(id), sendSpanId});
        }
      }
      processed.incrementAndGet();
    }
    if (Context.current() != Context.root()) {
      leakedContext.incrementAndGet();
    }
  }

  /** Distinct records processed so far, over all senders. */
  int distinct() {
    return distinct.get();
  }

  synchronized int seen(String sender) {
    BitSet ids = seen.get(sender);
    return ids == null ? 0 : ids.cardinality();
  }

  /** The ids of {@code sender} processed more than once (once per extra time). */
  synchronized List<Integer> twice(String sender) {
    return new ArrayList<>(twice.getOrDefault(sender, List.of()));
  }

  void stop() {
    stopping = true;
  }
}

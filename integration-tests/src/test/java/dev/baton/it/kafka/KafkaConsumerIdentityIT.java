package dev.baton.it.kafka;

import static dev.baton.it.kafka.KafkaClients.poll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.internal.SemConv;
import dev.baton.it.KafkaBroker;
import dev.baton.it.KafkaBrokerExtension;
import dev.baton.it.LocalKafkaBroker;
import dev.baton.kafka.KafkaTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Consumers that read the same topic name — in two groups of one cluster, or on two clusters —
 * each name their own group and client id on the processing spans of their records, processed
 * on worker threads after the consumers polled again; a consumer without Baton's interceptor
 * names none, never another consumer's.
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaConsumerIdentityIT {

  static final int RECORDS = 6;

  final InMemoryTelemetry spans = InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());
  final KafkaTracing tracing = KafkaTracing.create(spans.openTelemetry());
  final ExecutorService workers = Executors.newFixedThreadPool(3);
  /** Span id of each process span, by the consumer whose record it processed. */
  final Map<String, Set<String>> processedBy = new ConcurrentHashMap<>();

  @AfterEach
  void tearDown() throws InterruptedException {
    workers.shutdownNow();
    assertThat(workers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(Context.current()).isSameAs(Context.root());
  }

  KafkaConsumer<String, String> traced(KafkaBroker kafka, String group, String clientId) {
    Map<String, Object> extra = new HashMap<>(tracing.consumerProperties());
    extra.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    extra.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    return KafkaClients.stringConsumer(kafka, extra);
  }

  static void produce(KafkaBroker kafka, String topic) throws Exception {
    try (KafkaProducer<String, String> producer =
        KafkaClients.stringProducer(kafka, KafkaTracing.create(InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance()).openTelemetry()).producerProperties())) {
      for (int i = 0; i < RECORDS; i++) {
        producer.send(new ProducerRecord<>(topic, "order-" + i, "v" + i)).get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Hands every record to the worker pool, which processes it in its trace. */
  List<Future<?>> processOnWorkers(String consumer, List<ConsumerRecord<String, String>> records) {
    List<Future<?>> done = new ArrayList<>();
    for (ConsumerRecord<String, String> record : records) {
      done.add(workers.submit(() -> {
        tracing.process(record, r -> processedBy
            .computeIfAbsent(consumer, k -> ConcurrentHashMap.newKeySet())
            .add(Span.current().getSpanContext().getSpanId()));
        return null;
      }));
    }
    return done;
  }

  void assertNamed(String consumer, String group, String clientId) {
    Set<String> ids = processedBy.get(consumer);
    assertThat(ids).as(consumer).hasSize(RECORDS);
    int seen = 0;
    for (SpanData s : spans.spans()) {
      if (s.getKind() == SpanKind.CONSUMER && ids.contains(s.getSpanId())) {
        seen++;
        assertThat(s.getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME)).as(consumer).isEqualTo(group);
        assertThat(s.getAttributes().get(SemConv.MESSAGING_CLIENT_ID)).as(consumer).isEqualTo(clientId);
      }
    }
    assertThat(seen).isEqualTo(RECORDS);
  }

  static void await(List<Future<?>> futures) throws Exception {
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void twoGroupsOnOneClusterEachNameTheirOwnGroup(KafkaBroker kafka) throws Exception {
    String orders = "orders-" + UUID.randomUUID();
    kafka.createTopic(orders, 1);
    produce(kafka, orders);
    String fulfilment = "fulfilment-" + UUID.randomUUID();
    String audit = "audit-" + UUID.randomUUID();
    try (KafkaConsumer<String, String> a = traced(kafka, fulfilment, "fulfilment-1");
        KafkaConsumer<String, String> b = traced(kafka, audit, "audit-1");
        KafkaConsumer<String, String> plain = KafkaClients.stringConsumer(kafka,
            Map.of(ConsumerConfig.GROUP_ID_CONFIG, "plain-" + UUID.randomUUID(),
                ConsumerConfig.CLIENT_ID_CONFIG, "plain-1"))) {
      // the same records (topic, partition, offsets, headers) reach all three consumers
      List<ConsumerRecord<String, String>> fromA = poll(a, orders, RECORDS);
      List<ConsumerRecord<String, String>> fromB = poll(b, orders, RECORDS);
      List<ConsumerRecord<String, String>> fromPlain = poll(plain, orders, RECORDS);
      assertThat(fromA).extracting(ConsumerRecord::offset)
          .containsExactlyElementsOf(fromB.stream().map(ConsumerRecord::offset).toList());

      List<Future<?>> done = new ArrayList<>();
      done.addAll(processOnWorkers("b", fromB));
      done.addAll(processOnWorkers("plain", fromPlain));
      done.addAll(processOnWorkers("a", fromA));
      // both traced consumers poll again while their records are still being processed
      a.poll(java.time.Duration.ofMillis(100));
      b.poll(java.time.Duration.ofMillis(100));
      await(done);

      assertNamed("a", fulfilment, "fulfilment-1");
      assertNamed("b", audit, "audit-1");
      assertNamed("plain", null, null);
    }
  }

  @Test
  void twoClustersWithTheSameTopicAndGroupEachNameTheirOwnClient(KafkaBroker kafka) throws Exception {
    String orders = "orders-" + UUID.randomUUID();
    String group = "fulfilment-" + UUID.randomUUID();
    try (LocalKafkaBroker other = LocalKafkaBroker.start(false)) {
      kafka.createTopic(orders, 1);
      other.createTopic(orders, 1);
      produce(kafka, orders);
      produce(other, orders);
      try (KafkaConsumer<String, String> east = traced(kafka, group, "east-1");
          KafkaConsumer<String, String> west = traced(other, group, "west-1")) {
        List<ConsumerRecord<String, String>> fromEast = poll(east, orders, RECORDS);
        List<ConsumerRecord<String, String>> fromWest = poll(west, orders, RECORDS);
        List<Future<?>> done = new ArrayList<>();
        done.addAll(processOnWorkers("east", fromEast));
        done.addAll(processOnWorkers("west", fromWest));
        await(done);
        assertNamed("east", group, "east-1");
        assertNamed("west", group, "west-1");
      }
    }
  }
}

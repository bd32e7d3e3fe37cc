package dev.baton.it.kafka;

import static dev.baton.it.kafka.KafkaClients.poll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.core.BatonTracing;
import dev.baton.it.KafkaBroker;
import dev.baton.it.KafkaBrokerExtension;
import dev.baton.it.KafkaClientsVersion;
import dev.baton.kafka.KafkaTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Baton's Kafka metrics against a real broker, read through an in-memory metric reader: counts
 * equal to the records sent and consumed, durations, the wait since {@code CreateTime}, failures
 * with {@code error.type}, one series per topic and group whatever the keys, and nothing at all
 * with {@code baton.metrics.enabled=false}.
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaMetricsIT {

  /** kafka-clients 4.1 added the acknowledgement that lets a send be timed until the broker answers. */
  static final boolean ENDS_ON_ACK = KafkaClientsVersion.atLeast(4, 1);

  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.name");
  static final AttributeKey<String> TYPE = AttributeKey.stringKey("messaging.operation.type");
  static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<String> GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
  static final AttributeKey<String> ERROR = AttributeKey.stringKey("error.type");

  final InMemoryTelemetry telemetry = InMemoryTelemetry.create();

  @AfterEach
  void close() {
    telemetry.close();
  }

  @Test
  void sendsPollsAndProcessingAreCountedAndTimed(KafkaBroker kafka) throws Exception {
    String topic = "metrics-" + UUID.randomUUID();
    String group = "metrics-group-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);
    KafkaTracing tracing = KafkaTracing.create(telemetry.openTelemetry());
    Map<String, Object> consumerExtra = new HashMap<>(tracing.consumerProperties());
    consumerExtra.put("group.id", group);
    int n = 5;

    try (KafkaProducer<String, String> producer =
            KafkaClients.stringProducer(kafka, tracing.producerProperties());
        KafkaConsumer<String, String> consumer = KafkaClients.stringConsumer(kafka, consumerExtra)) {
      for (int i = 0; i < n; i++) {
        // a distinct key per record: keys never become attributes
        producer.send(new ProducerRecord<>(topic, "order-" + UUID.randomUUID(), "{}"))
            .get(30, TimeUnit.SECONDS);
      }
      List<ConsumerRecord<String, String>> records = poll(consumer, topic, n);
      assertThat(records).hasSize(n);
      for (ConsumerRecord<String, String> r : records.subList(0, n - 1)) {
        tracing.process(r, rec -> {});
      }
      assertThatThrownBy(() -> tracing.process(records.get(n - 1), rec -> {
        throw new IllegalStateException("processing failed");
      })).isInstanceOf(IllegalStateException.class);
    }

    Attributes sent = Attributes.of(SYSTEM, "kafka", OPERATION, "send", DESTINATION, topic);
    assertThat(telemetry.counter("messaging.client.sent.messages", sent)).isEqualTo(n);
    assertThat(telemetry.attributeSets("messaging.client.sent.messages")).containsExactly(sent);

    Attributes consumed =
        Attributes.of(SYSTEM, "kafka", OPERATION, "poll", DESTINATION, topic, GROUP, group);
    assertThat(telemetry.counter("messaging.client.consumed.messages", consumed)).isEqualTo(n);
    assertThat(telemetry.attributeSets("messaging.client.consumed.messages"))
        .containsExactly(consumed);

    Attributes process =
        Attributes.of(SYSTEM, "kafka", OPERATION, "process", DESTINATION, topic, GROUP, group);
    HistogramPointData processed = telemetry.histogram("messaging.process.duration", process);
    assertThat(processed.getCount()).isEqualTo(n - 1);
    assertThat(processed.getMin()).isGreaterThan(0);
    HistogramPointData failed = telemetry.histogram("messaging.process.duration",
        process.toBuilder().put(ERROR, "java.lang.IllegalStateException").build());
    assertThat(failed.getCount()).isEqualTo(1);
    assertThat(telemetry.attributeSets("messaging.process.duration")).hasSize(2);

    // every record has a CreateTime: each one's wait is recorded, under the process attributes
    HistogramPointData waited = telemetry.histogram("baton.messaging.wait.duration", process);
    assertThat(waited.getCount()).isEqualTo(n);
    assertThat(waited.getMin()).isGreaterThanOrEqualTo(0);
    assertThat(telemetry.attributeSets("baton.messaging.wait.duration")).containsExactly(process);

    if (ENDS_ON_ACK) {
      HistogramPointData send = telemetry.histogram("messaging.client.operation.duration",
          Attributes.of(SYSTEM, "kafka", OPERATION, "send", TYPE, "send", DESTINATION, topic));
      assertThat(send.getCount()).isEqualTo(n);
      assertThat(send.getMin()).isGreaterThan(0);
      // a record waits at least as long as its send took (CreateTime has millisecond steps)
      assertThat(send.getMax()).isLessThanOrEqualTo(waited.getMax() + 0.001);
      assertThat(telemetry.attributeSets("messaging.client.operation.duration")).hasSize(1);
    } else {
      // no answer reaches the interceptor: sends are counted, not timed
      assertThat(telemetry.points("messaging.client.operation.duration")).isEmpty();
    }
  }

  @Test
  void aWrappedConsumersPollsThatBringRecordsAreTimedAsReceives(KafkaBroker kafka)
      throws Exception {
    String topic = "metrics-poll-" + UUID.randomUUID();
    String group = "metrics-poll-group-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);
    KafkaTracing tracing = KafkaTracing.create(telemetry.openTelemetry());
    Map<String, Object> consumerExtra = new HashMap<>();
    consumerExtra.put("group.id", group);
    consumerExtra.put("max.poll.records", 2); // several polls bring records
    int n = 5;
    int polls = 0;
    int pollsWithRecords = 0;
    int records = 0;
    long pollingNanos = 0;
    try (KafkaProducer<String, String> producer =
            KafkaClients.stringProducer(kafka, tracing.producerProperties());
        Consumer<String, String> consumer =
            tracing.wrap(KafkaClients.stringConsumer(kafka, consumerExtra))) {
      for (int i = 0; i < n; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "{}")).get(30, TimeUnit.SECONDS);
      }
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (records < n && System.nanoTime() < deadline) {
        long start = System.nanoTime();
        ConsumerRecords<String, String> polled = consumer.poll(Duration.ofMillis(200));
        pollingNanos += System.nanoTime() - start;
        polls++;
        if (!polled.isEmpty()) {
          pollsWithRecords++;
          records += polled.count();
        }
      }
      // one more poll that finds nothing: an empty poll is not a receive worth timing
      assertThat(consumer.poll(Duration.ofMillis(50)).isEmpty()).isTrue();
    }
    assertThat(records).isEqualTo(n);
    assertThat(pollsWithRecords).isGreaterThanOrEqualTo(3);

    HistogramPointData received = telemetry.histogram("messaging.client.operation.duration",
        Attributes.of(SYSTEM, "kafka", OPERATION, "poll", TYPE, "receive", DESTINATION, topic,
            GROUP, group));
    assertThat(received.getCount()).isEqualTo(pollsWithRecords);
    assertThat(received.getMin()).isGreaterThan(0);
    // each timed poll lies inside the test's own timing of it
    assertThat(received.getSum()).isLessThanOrEqualTo(pollingNanos / 1e9);
    assertThat(telemetry.counter("messaging.client.consumed.messages",
            Attributes.of(SYSTEM, "kafka", OPERATION, "poll", DESTINATION, topic, GROUP, group)))
        .isEqualTo(n);
  }

  @Test
  void aFailedSendIsCountedWithItsErrorType(KafkaBroker kafka) throws Exception {
    String topic = "metrics-fail-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);
    KafkaTracing tracing = KafkaTracing.create(telemetry.openTelemetry());
    Map<String, Object> config = new HashMap<>(tracing.producerProperties());
    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1024);
    try (KafkaProducer<String, String> producer = KafkaClients.stringProducer(kafka, config)) {
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "k", "x".repeat(4096)))
              .get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(RecordTooLargeException.class);
    }
    Attributes failed = Attributes.of(SYSTEM, "kafka", OPERATION, "send", DESTINATION, topic,
        ERROR, RecordTooLargeException.class.getName());
    if (!ENDS_ON_ACK) {
      // before 4.1 the send is counted in onSend, before its failure can be known
      Attributes counted = Attributes.of(SYSTEM, "kafka", OPERATION, "send", DESTINATION, topic);
      assertThat(telemetry.counter("messaging.client.sent.messages", counted)).isEqualTo(1);
      assertThat(telemetry.attributeSets("messaging.client.sent.messages")).containsExactly(counted);
      return;
    }
    assertThat(telemetry.counter("messaging.client.sent.messages", failed)).isEqualTo(1);
    assertThat(telemetry.attributeSets("messaging.client.sent.messages")).containsExactly(failed);
    assertThat(telemetry.histogram("messaging.client.operation.duration",
            Attributes.of(SYSTEM, "kafka", OPERATION, "send", TYPE, "send", DESTINATION, topic,
                ERROR, RecordTooLargeException.class.getName()))
        .getCount()).isEqualTo(1);
  }

  @Test
  void metricsSwitchedOffRecordNothing(KafkaBroker kafka) throws Exception {
    String topic = "metrics-off-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);
    KafkaTracing tracing = KafkaTracing.builder(
        BatonTracing.builder(telemetry.openTelemetry()).metricsEnabled(false).build()).build();
    Map<String, Object> producerConfig = new HashMap<>(tracing.producerProperties());
    assertThat(producerConfig).containsEntry(BatonTracing.METRICS_ENABLED, false);
    try (KafkaProducer<String, String> producer = KafkaClients.stringProducer(kafka, producerConfig);
        KafkaConsumer<String, String> consumer =
            KafkaClients.stringConsumer(kafka, tracing.consumerProperties())) {
      producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
      tracing.process(poll(consumer, topic, 1).get(0), r -> {});
    }
    assertThat(telemetry.spans()).isNotEmpty(); // traced as ever
    assertThat(telemetry.metrics()).isEmpty();
  }
}

package dev.baton.it.kafka;

import static dev.baton.it.kafka.KafkaClients.poll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.core.internal.SemConv;
import dev.baton.it.KafkaBroker;
import dev.baton.it.KafkaBrokerExtension;
import dev.baton.it.KafkaClientsVersion;
import dev.baton.kafka.KafkaTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Baton's Kafka interceptors against a real KRaft broker, with whichever kafka-clients this
 * execution runs (4.4: producer spans end on the broker's answer; 4.0 and 3.9: they end in
 * onSend).
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaTracingIT {

  /** kafka-clients 4.1 added onAcknowledgement(metadata, exception, headers). */
  static final boolean ENDS_ON_ACK = KafkaClientsVersion.atLeast(4, 1);

  final InMemoryTelemetry spans = InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());
  final KafkaTracing tracing = KafkaTracing.create(spans.openTelemetry());
  final ExecutorService worker = Executors.newSingleThreadExecutor();

  @AfterEach
  void tearDown() throws InterruptedException {
    worker.shutdownNow();
    assertThat(worker.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(Context.current()).as("no scope leaked on the test thread").isSameAs(Context.root());
  }

  static String topic(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  @Test
  void produceConsumeProcessAndProduceAgainInOneTrace(KafkaBroker kafka) throws Exception {
    String orders = topic("orders");
    String shipments = topic("shipments");
    kafka.createTopic(orders, 1);
    kafka.createTopic(shipments, 1);
    Map<String, Object> consumerExtra = new HashMap<>(tracing.consumerProperties());
    consumerExtra.put("group.id", "fulfilment");

    try (KafkaProducer<String, String> producer = KafkaClients.stringProducer(kafka, tracing.producerProperties());
        KafkaConsumer<String, String> ordersConsumer = KafkaClients.stringConsumer(kafka, consumerExtra);
        KafkaConsumer<String, String> shipmentsConsumer =
            KafkaClients.stringConsumer(kafka, tracing.consumerProperties())) {

      Span checkout = spans.openTelemetry().getTracer("it").spanBuilder("checkout").startSpan();
      RecordMetadata sent;
      try (Scope ignored = checkout.makeCurrent()) {
        sent = producer.send(new ProducerRecord<>(orders, "order-1", "{\"sku\":\"book\"}")).get(30, TimeUnit.SECONDS);
      } finally {
        checkout.end();
      }

      ConsumerRecord<String, String> order = poll(ordersConsumer, orders, 1).get(0);
      // processing on a worker thread, which produces the next record from inside the trace
      worker.submit(() -> {
        tracing.process(order, r ->
            producer.send(new ProducerRecord<>(shipments, r.key(), "shipped")).get(30, TimeUnit.SECONDS));
        return null;
      }).get(60, TimeUnit.SECONDS);

      ConsumerRecord<String, String> shipment = poll(shipmentsConsumer, shipments, 1).get(0);
      tracing.process(shipment, r -> {});

      SpanData sendOrder = spans.awaitSpan("send " + orders, SpanKind.PRODUCER);
      SpanData processOrder = spans.awaitSpan("process " + orders, SpanKind.CONSUMER);
      SpanData sendShipment = spans.awaitSpan("send " + shipments, SpanKind.PRODUCER);
      SpanData processShipment = spans.awaitSpan("process " + shipments, SpanKind.CONSUMER);
      String traceId = checkout.getSpanContext().getTraceId();

      assertThat(List.of(sendOrder, processOrder, sendShipment, processShipment))
          .extracting(SpanData::getTraceId)
          .containsOnly(traceId);
      assertThat(sendOrder.getParentSpanId()).isEqualTo(checkout.getSpanContext().getSpanId());
      assertThat(processOrder.getParentSpanId()).isEqualTo(sendOrder.getSpanId());
      assertThat(processOrder.getParentSpanContext().isRemote()).isTrue();
      assertThat(sendShipment.getParentSpanId()).isEqualTo(processOrder.getSpanId());
      assertThat(processShipment.getParentSpanId()).isEqualTo(sendShipment.getSpanId());

      assertThat(sendOrder.getAttributes().get(SemConv.MESSAGING_SYSTEM)).isEqualTo("kafka");
      assertThat(sendOrder.getAttributes().get(SemConv.MESSAGING_DESTINATION_NAME)).isEqualTo(orders);
      assertThat(sendOrder.getAttributes().get(SemConv.MESSAGING_OPERATION_TYPE)).isEqualTo("send");
      assertThat(sendOrder.getAttributes().get(SemConv.MESSAGING_CLIENT_ID)).startsWith("producer-");
      if (ENDS_ON_ACK) {
        // ended by the broker's answer: it knows where the record landed
        assertThat(sendOrder.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isEqualTo(sent.offset());
        assertThat(sendOrder.getAttributes().get(SemConv.MESSAGING_DESTINATION_PARTITION_ID)).isEqualTo("0");
        assertThat(sendOrder.getAttributes().get(SemConv.MESSAGING_MESSAGE_BODY_SIZE)).isEqualTo(14L);
      } else {
        // kafka-clients before 4.1: ended in onSend, before the broker answered
        assertThat(sendOrder.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isNull();
      }

      assertThat(processOrder.getAttributes().get(SemConv.MESSAGING_OPERATION_TYPE)).isEqualTo("process");
      assertThat(processOrder.getAttributes().get(SemConv.MESSAGING_DESTINATION_NAME)).isEqualTo(orders);
      assertThat(processOrder.getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME)).isEqualTo("fulfilment");
      assertThat(processOrder.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isEqualTo(order.offset());
      assertThat(processOrder.getAttributes().get(SemConv.MESSAGING_DESTINATION_PARTITION_ID)).isEqualTo("0");
      assertThat(processOrder.getAttributes().get(SemConv.MESSAGING_CLIENT_ID)).startsWith("consumer-");
    }
  }

  @Test
  void producerSpanEndsOnlyWhenTheBrokerAnswers(KafkaBroker kafka) throws Exception {
    String orders = topic("orders");
    kafka.createTopic(orders, 1);
    try (KafkaProducer<String, String> producer = KafkaClients.stringProducer(kafka, tracing.producerProperties())) {
      long before = System.nanoTime();
      RecordMetadata md = producer.send(new ProducerRecord<>(orders, "v")).get(30, TimeUnit.SECONDS);
      SpanData send = spans.awaitSpan("send " + orders, SpanKind.PRODUCER);
      if (ENDS_ON_ACK) {
        assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isEqualTo(md.offset());
        assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
      }
      assertThat(send.getStartEpochNanos()).isLessThanOrEqualTo(send.getEndEpochNanos());
      assertThat(before).isPositive();
    }
  }

  @Test
  void aRecordTooLargeEndsTheSpanWithTheError(KafkaBroker kafka) throws Exception {
    String orders = topic("orders");
    kafka.createTopic(orders, 1);
    Map<String, Object> config = new HashMap<>(tracing.producerProperties());
    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1024);
    try (KafkaProducer<String, String> producer = KafkaClients.stringProducer(kafka, config)) {
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(orders, "x".repeat(10_000))).get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(RecordTooLargeException.class);
    }
    SpanData send = spans.awaitSpan("send " + orders, SpanKind.PRODUCER);
    if (ENDS_ON_ACK) {
      assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(send.getAttributes().get(SemConv.ERROR_TYPE)).isEqualTo(RecordTooLargeException.class.getName());
    }
  }

  @Test
  void anUnknownTopicWithAutoCreateOffEndsTheSpanWithTheError(KafkaBroker kafka) throws Exception {
    String missing = topic("missing");
    Map<String, Object> config = new HashMap<>(tracing.producerProperties());
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1500);
    try (KafkaProducer<String, String> producer = KafkaClients.stringProducer(kafka, config)) {
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(missing, "v")).get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    }
    SpanData send = spans.awaitSpan("send " + missing, SpanKind.PRODUCER);
    if (ENDS_ON_ACK) {
      assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(send.getAttributes().get(SemConv.ERROR_TYPE))
          .isEqualTo(org.apache.kafka.common.errors.TimeoutException.class.getName());
    }
  }

  @Test
  void aRecordSentTwiceCarriesExactlyOneFreshTraceparentEachTime(KafkaBroker kafka) throws Exception {
    String orders = topic("orders");
    kafka.createTopic(orders, 1);
    try (KafkaProducer<String, String> producer = KafkaClients.stringProducer(kafka, tracing.producerProperties());
        KafkaConsumer<String, String> consumer = KafkaClients.stringConsumer(kafka, Map.of())) {
      ProducerRecord<String, String> record = new ProducerRecord<>(orders, "k", "v");
      producer.send(record).get(30, TimeUnit.SECONDS);
      producer.send(record).get(30, TimeUnit.SECONDS); // its headers are read-only by now
      List<ConsumerRecord<String, String>> received = poll(consumer, orders, 2);
      List<SpanData> sends = spans.awaitSpans("send " + orders, SpanKind.PRODUCER, 2, Duration.ofSeconds(30));
      List<String> traceparents = new ArrayList<>();
      for (ConsumerRecord<String, String> r : received) {
        List<String> values = values(r.headers(), "traceparent");
        assertThat(values).hasSize(1);
        traceparents.add(values.get(0));
      }
      assertThat(traceparents).doesNotHaveDuplicates();
      for (SpanData send : sends) {
        assertThat(traceparents).anyMatch(tp -> tp.contains(send.getTraceId() + "-" + send.getSpanId()));
      }
    }
  }

  @Test
  void oddRecordsAreDeliveredAndProcessedAndTheTraceRestarts(KafkaBroker kafka) throws Exception {
    String odd = topic("odd");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(odd, 1, (short) 1)
          .configs(Map.of("max.message.bytes", Integer.toString(8 << 20))))).all().get(30, TimeUnit.SECONDS);
    }
    byte[] huge = new byte[1 << 20];
    new Random(42).nextBytes(huge);
    String valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    List<Headers> headerSets = new ArrayList<>();
    headerSets.add(headers("traceparent", null));
    headerSets.add(headers("traceparent", new byte[] {(byte) 0xc3, 0x28, (byte) 0xff}));
    headerSets.add(headers("traceparent", huge));
    headerSets.add(headers("traceparent", valid.getBytes(StandardCharsets.US_ASCII),
        "traceparent", valid.getBytes(StandardCharsets.US_ASCII)));
    headerSets.add(headers("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1".getBytes(StandardCharsets.US_ASCII),
        "uber-trace-id", "garbage".getBytes(StandardCharsets.US_ASCII)));
    headerSets.add(new RecordHeaders()); // tombstone below

    // a plain producer: the headers go out exactly as written
    try (KafkaProducer<byte[], byte[]> plain = KafkaClients.bytesProducer(kafka,
            Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20));
        KafkaConsumer<byte[], byte[]> consumer = KafkaClients.bytesConsumer(kafka, tracing.consumerProperties())) {
      for (int i = 0; i < headerSets.size(); i++) {
        byte[] value = i == headerSets.size() - 1 ? null : ("v" + i).getBytes(StandardCharsets.UTF_8);
        plain.send(new ProducerRecord<>(odd, null, ("k" + i).getBytes(StandardCharsets.UTF_8), value, headerSets.get(i)))
            .get(30, TimeUnit.SECONDS);
      }
      List<ConsumerRecord<byte[], byte[]>> received = poll(consumer, odd, headerSets.size());
      assertThat(received).hasSize(headerSets.size());
      List<String> processed = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : received) {
        tracing.process(r, x -> processed.add(new String(x.key(), StandardCharsets.UTF_8)));
      }
      assertThat(processed).containsExactly("k0", "k1", "k2", "k3", "k4", "k5");
    }
    List<SpanData> process = spans.awaitSpans("process " + odd, SpanKind.CONSUMER, headerSets.size(), Duration.ofSeconds(30));
    assertThat(process).hasSize(headerSets.size());
    for (SpanData s : process) {
      assertThat(s.getTraceId()).as("no garbage or duplicated context is continued")
          .isNotEqualTo("0af7651916cd43dd8448eb211c80319c");
      assertThat(s.getParentSpanContext().isValid()).isFalse();
    }
    assertThat(process.get(5).getAttributes().get(SemConv.MESSAGING_KAFKA_MESSAGE_TOMBSTONE)).isTrue();
  }

  @Test
  void receiveSpansLinkTheRecordsOfABatch(KafkaBroker kafka) throws Exception {
    String orders = topic("orders");
    kafka.createTopic(orders, 1);
    KafkaTracing withPoll = KafkaTracing.builder(spans.openTelemetry()).receiveSpans(true).build();
    try (KafkaProducer<String, String> producer = KafkaClients.stringProducer(kafka, withPoll.producerProperties());
        KafkaConsumer<String, String> consumer = KafkaClients.stringConsumer(kafka, withPoll.consumerProperties())) {
      producer.send(new ProducerRecord<>(orders, "a")).get(30, TimeUnit.SECONDS);
      producer.send(new ProducerRecord<>(orders, "b")).get(30, TimeUnit.SECONDS);
      poll(consumer, orders, 2);
    }
    List<SpanData> sends = spans.awaitSpans("send " + orders, SpanKind.PRODUCER, 2, Duration.ofSeconds(30));
    List<SpanData> polls = spans.awaitSpans("poll " + orders, SpanKind.CLIENT, 1, Duration.ofSeconds(30));
    List<String> linked = new ArrayList<>();
    long counted = 0;
    for (SpanData p : polls) {
      assertThat(p.getAttributes().get(SemConv.MESSAGING_OPERATION_TYPE)).isEqualTo("receive");
      counted += p.getAttributes().get(SemConv.MESSAGING_BATCH_MESSAGE_COUNT);
      p.getLinks().forEach(l -> linked.add(l.getSpanContext().getSpanId()));
    }
    assertThat(counted).isEqualTo(2);
    assertThat(linked).containsExactlyInAnyOrder(sends.get(0).getSpanId(), sends.get(1).getSpanId());
  }

  @Test
  void interceptorsRegisteredByClassNameInPlainPropertiesUseGlobalOpenTelemetry(KafkaBroker kafka)
      throws Exception {
    String orders = topic("orders");
    kafka.createTopic(orders, 1);
    GlobalOpenTelemetry.resetForTest();
    GlobalOpenTelemetry.set(spans.openTelemetry());
    try {
      Properties producerProps = new Properties();
      producerProps.setProperty("bootstrap.servers", kafka.bootstrapServers());
      producerProps.setProperty("key.serializer", StringSerializer.class.getName());
      producerProps.setProperty("value.serializer", StringSerializer.class.getName());
      producerProps.setProperty("interceptor.classes", "dev.baton.kafka.TracingProducerInterceptor");
      producerProps.setProperty("baton.kafka.capture.message.key", "true");
      Properties consumerProps = new Properties();
      consumerProps.setProperty("bootstrap.servers", kafka.bootstrapServers());
      consumerProps.setProperty("group.id", "plain-" + UUID.randomUUID());
      consumerProps.setProperty("auto.offset.reset", "earliest");
      consumerProps.setProperty("key.deserializer", StringDeserializer.class.getName());
      consumerProps.setProperty("value.deserializer", StringDeserializer.class.getName());
      consumerProps.setProperty("interceptor.classes", "dev.baton.kafka.TracingConsumerInterceptor");
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps);
          KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps)) {
        producer.send(new ProducerRecord<>(orders, "order-9", "v")).get(30, TimeUnit.SECONDS);
        ConsumerRecord<String, String> r = poll(consumer, orders, 1).get(0);
        KafkaTracing.fromConfig(Map.of()).process(r, x -> {});
      }
      SpanData send = spans.awaitSpan("send " + orders, SpanKind.PRODUCER);
      SpanData process = spans.awaitSpan("process " + orders, SpanKind.CONSUMER);
      assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_MESSAGE_KEY)).isEqualTo("order-9");
      assertThat(process.getParentSpanId()).isEqualTo(send.getSpanId());
      assertThat(process.getTraceId()).isEqualTo(send.getTraceId());
    } finally {
      GlobalOpenTelemetry.resetForTest();
    }
  }

  @Test
  void closingTheProducerEndsSpansStillWaitingForTheBroker(KafkaBroker kafka) throws Exception {
    String orders = topic("orders");
    kafka.createTopic(orders, 1);
    KafkaProducer<String, String> producer = KafkaClients.stringProducer(kafka, tracing.producerProperties());
    try {
      for (int i = 0; i < 20; i++) {
        producer.send(new ProducerRecord<>(orders, "v" + i));
      }
    } finally {
      producer.close(Duration.ZERO); // do not wait for the answers
    }
    await().atMost(Duration.ofSeconds(30))
        .until(() -> spans.spans("send " + orders, SpanKind.PRODUCER).size() == 20);
  }

  static Headers headers(Object... keyValues) {
    RecordHeaders h = new RecordHeaders();
    for (int i = 0; i < keyValues.length; i += 2) {
      h.add((String) keyValues[i], (byte[]) keyValues[i + 1]);
    }
    return h;
  }

  static List<String> values(Headers headers, String key) {
    List<String> out = new ArrayList<>();
    for (Header h : headers.headers(key)) {
      out.add(new String(h.value(), StandardCharsets.UTF_8));
    }
    return out;
  }
}

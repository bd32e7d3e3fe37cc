package dev.baton.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.internal.SemConv;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import dev.baton.kafka.KafkaTracing;
import dev.baton.kafka.TracingProducerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A Spring Boot application with the starter's auto-configuration and no Baton code, on the real
 * brokers: {@code KafkaTemplate} → {@code @KafkaListener} → {@code RabbitTemplate} →
 * {@code @RabbitListener} is one trace, with exact span names, kinds and parents.
 */
@SpringBootTest(
    classes = {ChainApp.class, SpringChainTest.Telemetry.class},
    properties = {
      "spring.kafka.consumer.auto-offset-reset=earliest",
      "spring.rabbitmq.listener.simple.default-requeue-rejected=false",
      "spring.rabbitmq.publisher-confirm-type=correlated",
      "baton.amqp.publish.end.on.confirm=true"
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SpringChainTest {

  static final InMemoryTelemetry TELEMETRY = InMemoryTelemetry.create();
  static final String TOPIC = TestBrokers.unique("orders");
  static final String BATCH_TOPIC = TestBrokers.unique("orders-batch");
  static final String QUEUE = TestBrokers.unique("baton-spring-notifications");
  static final String DIRECT_QUEUE = TestBrokers.unique("baton-spring-direct");
  static final Duration WAIT = Duration.ofSeconds(30);

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    TestBrokers.register(registry);
    registry.add("test.topic", () -> TOPIC);
    registry.add("test.batch-topic", () -> BATCH_TOPIC);
    registry.add("test.queue", () -> QUEUE);
    registry.add("test.direct-queue", () -> DIRECT_QUEUE);
    registry.add("test.group", () -> TestBrokers.unique("group"));
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class Telemetry {
    @Bean
    OpenTelemetry openTelemetry() {
      return TELEMETRY.openTelemetry();
    }
  }

  @Autowired KafkaTemplate<String, String> kafka;
  @Autowired RabbitTemplate rabbit;
  @Autowired ChainApp.Listeners listeners;
  @Autowired KafkaListenerEndpointRegistry registry;
  @Autowired KafkaTracing kafkaTracing;
  @Autowired KafkaAdmin admin;

  @AfterAll
  static void close() {
    TELEMETRY.close();
  }

  @BeforeEach
  void reset() {
    TELEMETRY.reset();
  }

  @Test
  void kafkaTemplateToRabbitListenerIsOneTrace() throws Exception {
    kafka.send(TOPIC, "o-1", "order-1").get(30, TimeUnit.SECONDS);

    Message delivered = listeners.notifications.poll(30, TimeUnit.SECONDS);
    assertThat(delivered).isNotNull();
    assertThat(new String(delivered.getBody(), StandardCharsets.UTF_8)).isEqualTo("notify order-1");

    SpanData send = TELEMETRY.awaitSpan("send " + TOPIC, SpanKind.PRODUCER);
    SpanData process = TELEMETRY.awaitSpan("process " + TOPIC, SpanKind.CONSUMER);
    SpanData publish = TELEMETRY.awaitSpan("publish amq.default", SpanKind.PRODUCER);
    SpanData deliver = TELEMETRY.awaitSpan("process " + QUEUE, SpanKind.CONSUMER);

    // one trace, a chain of parents
    assertThat(send.getParentSpanContext().isValid()).isFalse();
    assertThat(process.getParentSpanId()).isEqualTo(send.getSpanId());
    assertThat(publish.getParentSpanId()).isEqualTo(process.getSpanId());
    assertThat(deliver.getParentSpanId()).isEqualTo(publish.getSpanId());
    for (SpanData span : List.of(process, publish, deliver)) {
      assertThat(span.getTraceId()).isEqualTo(send.getTraceId());
    }
    // nothing else in that trace: no duplicate span from any other instrumentation
    assertThat(TELEMETRY.spans().stream().filter(s -> s.getTraceId().equals(send.getTraceId())))
        .hasSize(4);

    // the producer span ended on the broker's answer: the offset comes only from the ack
    assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isNotNull();
    assertThat(send.getAttributes().get(AttributeKey.booleanKey("baton.kafka.ack_missing")))
        .isNull();
    assertThat(send.getInstrumentationScopeInfo().getName()).isEqualTo("dev.baton.kafka");
    assertThat(send.getAttributes().get(SemConv.MESSAGING_SYSTEM)).isEqualTo("kafka");

    assertThat(process.getAttributes().get(SemConv.MESSAGING_OPERATION_TYPE)).isEqualTo("process");
    assertThat(process.getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME)).isNotNull();

    assertThat(publish.getInstrumentationScopeInfo().getName()).isEqualTo("dev.baton.amqp");
    assertThat(publish.getAttributes().get(SemConv.MESSAGING_SYSTEM)).isEqualTo("rabbitmq");
    assertThat(publish.getAttributes().get(SemConv.MESSAGING_OPERATION_TYPE)).isEqualTo("send");
    assertThat(publish.getAttributes().get(SemConv.MESSAGING_DESTINATION_NAME)).isEqualTo(QUEUE);
    assertThat(publish.getAttributes().get(SemConv.MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY))
        .isEqualTo(QUEUE);
    assertThat(publish.getAttributes().get(SemConv.SERVER_ADDRESS)).isNotNull();

    assertThat(deliver.getAttributes().get(SemConv.MESSAGING_DESTINATION_NAME)).isEqualTo(QUEUE);
    assertThat(deliver.getAttributes().get(SemConv.MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG))
        .isNotNull();
    assertThat(deliver.getAttributes().get(SemConv.MESSAGING_MESSAGE_BODY_SIZE))
        .isEqualTo((long) "notify order-1".length());

    // one traceparent on the Kafka record, a String one on the AMQP message
    ConsumerRecord<String, String> record = listeners.orders.poll(1, TimeUnit.SECONDS);
    assertThat(record).isNotNull();
    int traceparents = 0;
    for (Header h : record.headers().headers("traceparent")) {
      traceparents++;
    }
    assertThat(traceparents).isEqualTo(1);
    assertThat(delivered.getMessageProperties().getHeaders().get("traceparent"))
        .asString()
        .startsWith("00-" + publish.getTraceId() + "-" + publish.getSpanId() + "-");

    assertThat(TELEMETRY.openSpans()).isZero();

    // Spring's record interceptor and Rabbit listener advice measure processing too (the
    // telemetry is shared by the class's tests, so at least this test's message)
    assertThat(processed("kafka", TOPIC)).isGreaterThanOrEqualTo(1);
    assertThat(processed("rabbitmq", QUEUE)).isGreaterThanOrEqualTo(1);
  }

  /** Processings recorded in {@code messaging.process.duration} for one destination. */
  static long processed(String system, String destination) {
    long n = 0;
    for (PointData p : TELEMETRY.points("messaging.process.duration")) {
      if (system.equals(p.getAttributes().get(SemConv.MESSAGING_SYSTEM))
          && destination.equals(p.getAttributes().get(SemConv.MESSAGING_DESTINATION_NAME))) {
        n += ((HistogramPointData) p).getCount();
      }
    }
    return n;
  }

  /**
   * The defect of issue 13: set on {@code KafkaTemplate}'s own interceptor hook, Baton's producer
   * interceptor only ever hears the two-argument {@code onAcknowledgement}. Its span must still end
   * on the broker's answer, not wait to be evicted.
   */
  @Test
  void producerSpanEndsOnTheAckThroughKafkaTemplatesInterceptorHook() throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestBrokers.kafkaBootstrap());
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    DefaultKafkaProducerFactory<Object, Object> factory = new DefaultKafkaProducerFactory<>(config);
    TracingProducerInterceptor interceptor = new TracingProducerInterceptor();
    interceptor.configure(kafkaTracing.producerProperties());
    KafkaTemplate<Object, Object> template = new KafkaTemplate<>(factory);
    template.setProducerInterceptor(interceptor);
    try {
      String topic = TestBrokers.unique("hooked");
      admin.createOrModifyTopics(new NewTopic(topic, 1, (short) 1));
      template.send(topic, "hook", "through-the-hook").get(30, TimeUnit.SECONDS);
      List<SpanData> sends =
          TELEMETRY.awaitSpans("send " + topic, SpanKind.PRODUCER, 1, Duration.ofSeconds(10));
      assertThat(sends.get(0).getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isNotNull();
      assertThat(
              sends.get(0).getAttributes().get(AttributeKey.booleanKey("baton.kafka.ack_missing")))
          .isNull();
    } finally {
      factory.destroy();
      interceptor.close();
    }
  }

  @Test
  void kafkaListenerFailureIsRecordedOnItsProcessSpan() {
    kafka.send(TOPIC, "o-2", "bad-order");

    SpanData process = TELEMETRY.awaitSpan("process " + TOPIC, SpanKind.CONSUMER);
    SpanData send = TELEMETRY.awaitSpan("send " + TOPIC, SpanKind.PRODUCER);
    assertThat(process.getParentSpanId()).isEqualTo(send.getSpanId());
    assertThat(process.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(process.getAttributes().get(SemConv.ERROR_TYPE))
        .isEqualTo(IllegalStateException.class.getName());
    assertThat(process.getEvents()).anyMatch(e -> e.getName().equals("exception"));
  }

  @Test
  void rabbitListenerFailureIsRecordedOnItsProcessSpan() {
    rabbit.convertAndSend("", QUEUE, "notify bad news");

    SpanData publish = TELEMETRY.awaitSpan("publish amq.default", SpanKind.PRODUCER);
    SpanData deliver = TELEMETRY.awaitSpan("process " + QUEUE, SpanKind.CONSUMER);
    assertThat(deliver.getParentSpanId()).isEqualTo(publish.getSpanId());
    assertThat(deliver.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(deliver.getAttributes().get(SemConv.ERROR_TYPE))
        .isEqualTo(IllegalArgumentException.class.getName());
  }

  @Test
  void directContainerRunsTheListenerInsideTheProcessSpan() throws Exception {
    rabbit.convertAndSend("", DIRECT_QUEUE, "direct");

    assertThat(listeners.direct.poll(30, TimeUnit.SECONDS)).isNotNull();
    SpanData publish = TELEMETRY.awaitSpan("publish amq.default", SpanKind.PRODUCER);
    SpanData deliver = TELEMETRY.awaitSpan("process " + DIRECT_QUEUE, SpanKind.CONSUMER);
    assertThat(deliver.getParentSpanId()).isEqualTo(publish.getSpanId());
    assertThat(deliver.getTraceId()).isEqualTo(publish.getTraceId());
  }

  @Test
  void publishSpanEndsOnThePublisherConfirm() throws Exception {
    CorrelationData confirmed = new CorrelationData("ok-1");
    rabbit.convertAndSend("", DIRECT_QUEUE, "confirmed", confirmed);
    assertThat(confirmed.getFuture().get(30, TimeUnit.SECONDS).ack()).isTrue();
    SpanData ok = TELEMETRY.awaitSpan("publish amq.default", SpanKind.PRODUCER);
    assertThat(ok.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

    // An exchange that does not exist: the broker closes the channel, Spring nacks the send, and
    // the span, still open until then, ends as an error.
    String missing = TestBrokers.unique("baton-no-such-exchange");
    CorrelationData lost = new CorrelationData("lost-1");
    rabbit.convertAndSend(missing, "x", "lost", lost);
    assertThat(lost.getFuture().get(30, TimeUnit.SECONDS).ack()).isFalse();
    SpanData nacked = TELEMETRY.awaitSpan("publish " + missing, SpanKind.PRODUCER);
    assertThat(nacked.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(nacked.getAttributes().get(SemConv.ERROR_TYPE)).isEqualTo("nack");
    assertThat(TELEMETRY.openSpans()).isZero();
  }

  @Test
  void batchListenerSpanLinksEveryRecord() throws Exception {
    for (int i = 0; i < 3; i++) {
      kafka.send(BATCH_TOPIC, "b-" + i, "batched-" + i).get(30, TimeUnit.SECONDS);
    }
    registry.getListenerContainer("batch").start();

    List<SpanData> sends = TELEMETRY.awaitSpans("send " + BATCH_TOPIC, SpanKind.PRODUCER, 3, WAIT);
    int received = 0;
    while (received < 3) {
      List<String> batch = listeners.batches.poll(30, TimeUnit.SECONDS);
      assertThat(batch).isNotNull();
      received += batch.size();
    }
    // the last span ends right after the listener returns: wait until every record is linked
    List<SpanData> processes = List.of();
    Set<String> linked = Set.of();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (linked.size() < 3 && System.nanoTime() < deadline) {
      processes = TELEMETRY.spans("process " + BATCH_TOPIC, SpanKind.CONSUMER);
      linked =
          processes.stream()
              .flatMap(p -> p.getLinks().stream())
              .map(LinkData::getSpanContext)
              .map(sc -> sc.getSpanId())
              .collect(Collectors.toSet());
      Thread.sleep(20);
    }
    assertThat(linked)
        .containsExactlyInAnyOrderElementsOf(
            sends.stream().map(SpanData::getSpanId).collect(Collectors.toList()));
    for (SpanData p : processes) {
      assertThat(p.getParentSpanContext().isValid()).isFalse();
      assertThat(p.getAttributes().get(SemConv.MESSAGING_BATCH_MESSAGE_COUNT))
          .isEqualTo((long) p.getLinks().size());
    }
  }
}

package dev.baton.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.baton.core.internal.SemConv;
import dev.baton.it.KafkaBroker;
import dev.baton.it.KafkaBrokerExtension;
import dev.baton.testing.InMemoryTelemetry;
import dev.baton.kafka.KafkaTracing;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.logback.mdc.v1_0.OpenTelemetryAppender;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * A handler's log line carries the producer's trace id with nothing but client properties: the
 * interceptors listed in {@code interceptor.classes}, {@code baton.kafka.consumer.process.spans=true},
 * and the SDK registered with {@code GlobalOpenTelemetry} after the clients were built. The same
 * for clients built in code and wrapped with {@code KafkaTracing.wrap}. Runs on every kafka-clients
 * version the Kafka ITs run on (4.4, 4.0.2, 3.9.1). Log lines get the trace id the way an
 * application's do: OpenTelemetry's logback MDC appender reads the current span when the line is
 * logged.
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaPropertiesOnlyIT {

  static final String HANDLER_LOGGER = "dev.baton.it.kafka.OrderHandler";

  final InMemoryTelemetry spans = InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());
  final Logger handlerLog = (Logger) LoggerFactory.getLogger(HANDLER_LOGGER);
  final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  final OpenTelemetryAppender withTraceIds = new OpenTelemetryAppender();

  @BeforeEach
  void setUp() {
    GlobalOpenTelemetry.resetForTest();
    lines.setContext(handlerLog.getLoggerContext());
    lines.start();
    withTraceIds.setContext(handlerLog.getLoggerContext());
    withTraceIds.addAppender(lines);
    withTraceIds.start();
    handlerLog.setLevel(Level.INFO);
    handlerLog.addAppender(withTraceIds);
  }

  @AfterEach
  void tearDown() {
    handlerLog.detachAppender(withTraceIds);
    withTraceIds.stop();
    lines.stop();
    GlobalOpenTelemetry.resetForTest();
    assertThat(Context.current()).as("no scope leaked on the test thread").isSameAs(Context.root());
  }

  static String topic() {
    return "orders-" + UUID.randomUUID();
  }

  static Properties producerProps(KafkaBroker kafka) {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    p.put("linger.ms", "0");
    return p;
  }

  static Properties consumerProps(KafkaBroker kafka) {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("group.id", "handlers-" + UUID.randomUUID());
    p.put("auto.offset.reset", "earliest");
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    return p;
  }

  /** The application's loop: logs one line per order, inside whatever is current. */
  void handleUntil(Consumer<String, String> consumer, String topic, int expected) {
    consumer.subscribe(List.of(topic));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int handled = 0;
    while (handled < expected && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
        handlerLog.info("handled {}", record.value());
        handled++;
      }
    }
    assertThat(handled).as("records handled from " + topic).isEqualTo(expected);
  }

  List<ILoggingEvent> handled(String value) {
    List<ILoggingEvent> out = new ArrayList<>();
    synchronized (lines) {
      for (ILoggingEvent e : lines.list) {
        if (e.getFormattedMessage().equals("handled " + value)) {
          out.add(e);
        }
      }
    }
    return out;
  }

  @Test
  void propertiesOnlyTheHandlersLogLineCarriesTheProducersTraceId(KafkaBroker kafka) throws Exception {
    String orders = topic();
    kafka.createTopic(orders, 1);
    Properties producerProps = producerProps(kafka);
    producerProps.put("interceptor.classes", "dev.baton.kafka.TracingProducerInterceptor");
    Properties consumerProps = consumerProps(kafka);
    consumerProps.put("interceptor.classes", "dev.baton.kafka.TracingConsumerInterceptor");
    consumerProps.put("baton.kafka.consumer.process.spans", "true");

    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps);
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps)) {
      // registered after the clients were built, as a main() or a Spring context may do it
      GlobalOpenTelemetry.set(spans.openTelemetry());

      Span checkout = spans.openTelemetry().getTracer("it").spanBuilder("checkout").startSpan();
      try (Scope ignored = checkout.makeCurrent()) {
        producer.send(new ProducerRecord<>(orders, "order-1", "order 1")).get(30, TimeUnit.SECONDS);
      } finally {
        checkout.end();
      }
      handleUntil(consumer, orders, 1);
    }

    String traceId = spans.awaitSpan("checkout", SpanKind.INTERNAL).getTraceId();
    SpanData send = spans.awaitSpan("send " + orders, SpanKind.PRODUCER);
    SpanData process = spans.awaitSpan("process " + orders, SpanKind.CONSUMER);
    assertThat(send.getTraceId()).isEqualTo(traceId);
    assertThat(process.getParentSpanId()).isEqualTo(send.getSpanId());
    assertThat(process.getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME))
        .startsWith("handlers-");
    ILoggingEvent line = handled("order 1").get(0);
    assertThat(line.getMDCPropertyMap())
        .containsEntry("trace_id", traceId)
        .containsEntry("span_id", process.getSpanId());
  }

  @Test
  void clientsBuiltInCodeAndWrappedDoTheSame(KafkaBroker kafka) throws Exception {
    String orders = topic();
    kafka.createTopic(orders, 1);
    KafkaTracing kafkaTracing = KafkaTracing.create(spans.openTelemetry());

    RecordMetadata sent;
    try (Producer<String, String> producer = kafkaTracing.wrap(new KafkaProducer<>(producerProps(kafka)));
        Consumer<String, String> consumer = kafkaTracing.wrap(new KafkaConsumer<>(consumerProps(kafka)))) {
      Span checkout = spans.openTelemetry().getTracer("it").spanBuilder("checkout").startSpan();
      try (Scope ignored = checkout.makeCurrent()) {
        sent = producer.send(new ProducerRecord<>(orders, "order-2", "order 2")).get(30, TimeUnit.SECONDS);
      } finally {
        checkout.end();
      }
      handleUntil(consumer, orders, 1);
      consumer.commitSync();
    }

    String traceId = spans.awaitSpan("checkout", SpanKind.INTERNAL).getTraceId();
    SpanData send = spans.awaitSpan("send " + orders, SpanKind.PRODUCER);
    SpanData process = spans.awaitSpan("process " + orders, SpanKind.CONSUMER);
    assertThat(send.getTraceId()).isEqualTo(traceId);
    // ended by the send's callback: the offset is known on every kafka-clients version
    assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isEqualTo(sent.offset());
    assertThat(send.getAttributes().get(SemConv.MESSAGING_CLIENT_ID)).startsWith("producer-");
    assertThat(process.getParentSpanId()).isEqualTo(send.getSpanId());
    assertThat(process.getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME)).startsWith("handlers-");
    assertThat(process.getAttributes().get(SemConv.MESSAGING_CLIENT_ID)).startsWith("consumer-");
    assertThat(handled("order 2").get(0).getMDCPropertyMap())
        .containsEntry("trace_id", traceId)
        .containsEntry("span_id", process.getSpanId());
  }

  @Test
  void aLoopLeftEarlyEndsItsSpanAtTheNextPoll(KafkaBroker kafka) throws Exception {
    String orders = topic();
    kafka.createTopic(orders, 1);
    KafkaTracing kafkaTracing = KafkaTracing.builder(spans.openTelemetry()).processSpans(true).build();
    Map<String, Object> consumerConfig = KafkaClients.consumerConfig(kafka, kafkaTracing.consumerProperties());
    consumerConfig.put("max.poll.records", 1);

    try (KafkaProducer<String, String> producer =
            KafkaClients.stringProducer(kafka, kafkaTracing.producerProperties());
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
            consumerConfig, new StringDeserializer(), new StringDeserializer())) {
      producer.send(new ProducerRecord<>(orders, "first")).get(30, TimeUnit.SECONDS);
      producer.send(new ProducerRecord<>(orders, "second")).get(30, TimeUnit.SECONDS);
      consumer.subscribe(List.of(orders));
      String leftIn = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (leftIn == null && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          leftIn = Span.current().getSpanContext().getSpanId();
          break; // e.g. a failed record: seek back and retry later
        }
      }
      assertThat(Span.current().getSpanContext().getSpanId()).isEqualTo(leftIn);

      int more = 0;
      while (more == 0 && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          assertThat(Span.current().getSpanContext().getSpanId()).isNotEqualTo(leftIn);
          more++;
        }
      }
      assertThat(more).isEqualTo(1);
    }

    List<SpanData> processed = spans.awaitSpans("process " + orders, SpanKind.CONSUMER, 2, java.time.Duration.ofSeconds(30));
    List<SpanData> sends = spans.awaitSpans("send " + orders, SpanKind.PRODUCER, 2, java.time.Duration.ofSeconds(30));
    assertThat(processed).extracting(SpanData::getParentSpanId)
        .containsExactlyInAnyOrder(sends.get(0).getSpanId(), sends.get(1).getSpanId());
    assertThat(Context.current()).isSameAs(Context.root());
  }
}

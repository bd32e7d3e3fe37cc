package dev.baton.kafka;

import static dev.baton.kafka.KafkaTestSupport.batch;
import static dev.baton.kafka.KafkaTestSupport.consumed;
import static dev.baton.kafka.KafkaTestSupport.headers;
import static dev.baton.kafka.KafkaTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Interceptors registered by class name alone, and the SDK registered with
 * {@code GlobalOpenTelemetry} before them, after them, or never: Baton looks it up when a record
 * passes, never locks it, and says once, at WARNING, when there is none.
 */
class GlobalRegistrationTest {

  static final String TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  final InMemoryTelemetry otel = InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());
  final List<LogRecord> warnings = new ArrayList<>();
  final Logger batonLogger = Logger.getLogger("dev.baton");
  final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    GlobalOpenTelemetry.resetForTest();
    resetBatonsOncePerJvmWarnings();
    batonLogger.addHandler(capture);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    batonLogger.removeHandler(capture);
    GlobalOpenTelemetry.resetForTest();
    resetBatonsOncePerJvmWarnings();
    assertThat(Context.current()).isSameAs(Context.root());
  }

  /** Test-only: core's warnings are once per JVM; each test here starts as a fresh JVM would. */
  static void resetBatonsOncePerJvmWarnings() throws Exception {
    Method reset = Class.forName("dev.baton.core.internal.GlobalTelemetry").getDeclaredMethod("resetWarnings");
    reset.setAccessible(true);
    reset.invoke(null);
  }

  /** Configured as Kafka configures an interceptor listed in interceptor.classes. */
  TracingProducerInterceptor producerInterceptor() {
    TracingProducerInterceptor p = new TracingProducerInterceptor();
    // spans end in onSend: no broker answers here
    p.configure(Map.of("client.id", "checkout", "baton.kafka.producer.span.end", "send"));
    closing.add(p::close);
    return p;
  }

  TracingConsumerInterceptor consumerInterceptor() {
    TracingConsumerInterceptor c = new TracingConsumerInterceptor();
    c.configure(Map.of("group.id", "fulfilment", "baton.kafka.consumer.process.spans", "true"));
    closing.add(c::close);
    return c;
  }

  static ProducerRecord<Object, Object> order() {
    return new ProducerRecord<>("orders", "order-1", "placed");
  }

  /** Sends through the interceptor and consumes what it wrote; returns the loop's trace id. */
  static String hop(TracingProducerInterceptor producer, TracingConsumerInterceptor consumer) {
    ProducerRecord<Object, Object> sent = producer.onSend(order());
    ConsumerRecords<Object, Object> polled =
        consumer.onConsume(batch(List.of(consumed("orders", 0, 1L, "order-1", "placed", sent.headers()))));
    String traceId = null;
    for (ConsumerRecord<Object, Object> r : polled) {
      traceId = Span.current().getSpanContext().getTraceId();
    }
    return traceId;
  }

  List<SpanData> spans(SpanKind kind) {
    List<SpanData> out = new ArrayList<>();
    for (SpanData s : otel.spans()) {
      if (s.getKind() == kind) {
        out.add(s);
      }
    }
    return out;
  }

  @Test
  void registeredBeforeTheClientsAreConfigured() {
    GlobalOpenTelemetry.set(otel.openTelemetry());
    TracingProducerInterceptor producer = producerInterceptor();
    TracingConsumerInterceptor consumer = consumerInterceptor();

    String traceId = hop(producer, consumer);

    SpanData send = spans(SpanKind.PRODUCER).get(0);
    SpanData process = spans(SpanKind.CONSUMER).get(0);
    assertThat(process.getParentSpanId()).isEqualTo(send.getSpanId());
    assertThat(traceId).isEqualTo(send.getTraceId());
    assertThat(warnings).isEmpty();
  }

  @Test
  void registeredAfterTheClientsAreConfiguredBeforeTheFirstRecord() {
    TracingProducerInterceptor producer = producerInterceptor();
    TracingConsumerInterceptor consumer = consumerInterceptor();
    assertThat(GlobalOpenTelemetry.isSet()).as("configure() left the global alone").isFalse();

    GlobalOpenTelemetry.set(otel.openTelemetry()); // would throw had configure() called GlobalOpenTelemetry.get()

    String traceId = hop(producer, consumer);
    assertThat(spans(SpanKind.PRODUCER)).hasSize(1);
    assertThat(spans(SpanKind.CONSUMER).get(0).getParentSpanId())
        .isEqualTo(spans(SpanKind.PRODUCER).get(0).getSpanId());
    assertThat(traceId).isEqualTo(spans(SpanKind.PRODUCER).get(0).getTraceId());
    assertThat(warnings).isEmpty();
  }

  @Test
  void registeredAfterTheFirstRecords() {
    TracingProducerInterceptor producer = producerInterceptor();
    TracingConsumerInterceptor consumer = consumerInterceptor();
    assertThat(hop(producer, consumer)).isEqualTo("00000000000000000000000000000000");
    assertThat(warnings).hasSize(1);

    GlobalOpenTelemetry.set(otel.openTelemetry());

    String traceId = hop(producer, consumer);
    SpanData send = spans(SpanKind.PRODUCER).get(0);
    assertThat(spans(SpanKind.PRODUCER)).hasSize(1);
    assertThat(spans(SpanKind.CONSUMER).get(0).getParentSpanId()).isEqualTo(send.getSpanId());
    assertThat(traceId).isEqualTo(send.getTraceId());
    assertThat(warnings).as("still the one warning").hasSize(1);
  }

  @Test
  void neverRegistered() {
    TracingProducerInterceptor producer = producerInterceptor();
    TracingConsumerInterceptor consumer = consumerInterceptor();

    for (int i = 0; i < 3; i++) {
      ProducerRecord<Object, Object> sent = producer.onSend(order());
      assertThat(sent.headers().toArray()).as("no trace to write: the record goes out untouched").isEmpty();
      ConsumerRecord<Object, Object> incoming =
          consumed("orders", 0, i, "order-1", "placed", headers("traceparent", TP));
      for (ConsumerRecord<Object, Object> r : consumer.onConsume(batch(List.of(incoming)))) {
        assertThat(r).isSameAs(incoming);
        assertThat(values(r.headers(), "traceparent")).containsExactly(TP);
        assertThat(Span.current().isRecording()).isFalse();
      }
    }

    assertThat(otel.spans()).isEmpty();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getLevel()).isEqualTo(Level.WARNING);
    assertThat(warnings.get(0).getMessage())
        .contains("no OpenTelemetry instance is registered with GlobalOpenTelemetry")
        .contains("buildAndRegisterGlobal()");
    assertThat(GlobalOpenTelemetry.isSet()).isFalse();
    assertThatCode(() -> GlobalOpenTelemetry.set(otel.openTelemetry())).doesNotThrowAnyException();
  }

  @Test
  void aRealProducerBuiltBeforeTheSdkIsRegisteredTracesItsFirstSend() {
    Properties props = new Properties();
    props.put("bootstrap.servers", "127.0.0.1:9"); // never answers: the send fails, after onSend
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    props.put("interceptor.classes", TracingProducerInterceptor.class.getName());
    props.put("max.block.ms", "200");
    KafkaProducer<String, String> producer = new KafkaProducer<>(props);
    closing.add(producer::close);
    assertThat(GlobalOpenTelemetry.isSet()).isFalse();

    GlobalOpenTelemetry.set(otel.openTelemetry());
    producer.send(new ProducerRecord<>("orders", "v"));
    producer.close();

    assertThat(spans(SpanKind.PRODUCER)).extracting(SpanData::getName).containsExactly("send orders");
    assertThat(warnings).isEmpty();
  }
}

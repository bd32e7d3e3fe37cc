package dev.baton.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.it.KafkaBroker;
import dev.baton.it.KafkaBrokerExtension;
import dev.baton.kafka.KafkaTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.extension.trace.propagation.B3Propagator;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An {@code OpenTelemetry} configured with W3C and B3 (single header): Baton's producer writes
 * {@code b3} beside {@code traceparent}, both naming the send span, and Baton's consumer continues
 * a record that carries B3 alone (single or multi header).
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaB3BesideW3cIT {

  static final String B3_TRACE_ID = "463ac35c9f6413ad48485a3953bb6124";
  static final String B3_SPAN_ID = "a2fb4a1d1a96d312";
  static final String B3_MULTI_TRACE_ID = "80f198ee56343ba864fe8b2a57d3eff7";
  static final String B3_MULTI_SPAN_ID = "e457b5a2e4d86bd1";

  final InMemoryTelemetry spans = InMemoryTelemetry.create(TextMapPropagator.composite(
      W3CTraceContextPropagator.getInstance(), B3Propagator.injectingSingleHeader()));
  final KafkaTracing tracing = KafkaTracing.create(spans.openTelemetry());

  @AfterEach
  void noLeakedScope() {
    assertThat(Context.current()).as("no scope leaked on the test thread").isSameAs(Context.root());
  }

  @Test
  void theProducerWritesB3BesideTraceparent(KafkaBroker kafka) throws Exception {
    String topic = "b3-out-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);
    try (KafkaProducer<String, String> producer = KafkaClients.stringProducer(kafka, tracing.producerProperties());
        KafkaConsumer<String, String> plain = KafkaClients.stringConsumer(kafka, Map.of())) {
      Span root = spans.openTelemetry().getTracer("it").spanBuilder("it-root").startSpan();
      try (Scope ignored = root.makeCurrent()) {
        producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
      } finally {
        root.end();
      }
      Headers headers = KafkaClients.poll(plain, topic, 1).get(0).headers();
      SpanData send = spans.awaitSpan("send " + topic, SpanKind.PRODUCER);

      assertThat(send.getTraceId()).isEqualTo(root.getSpanContext().getTraceId());
      assertThat(send.getParentSpanId()).isEqualTo(root.getSpanContext().getSpanId());
      assertThat(values(headers, "traceparent"))
          .containsExactly("00-" + send.getTraceId() + "-" + send.getSpanId() + "-"
              + send.getSpanContext().getTraceFlags().asHex());
      assertThat(send.getSpanContext().isSampled()).isTrue();
      assertThat(values(headers, "b3"))
          .containsExactly(send.getTraceId() + "-" + send.getSpanId() + "-1");
    }
  }

  @Test
  void theConsumerContinuesRecordsCarryingOnlyB3(KafkaBroker kafka) throws Exception {
    String topic = "b3-in-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);
    RecordHeaders single = new RecordHeaders();
    single.add("b3", ascii(B3_TRACE_ID + "-" + B3_SPAN_ID + "-1"));
    RecordHeaders multi = new RecordHeaders();
    multi.add("X-B3-TraceId", ascii(B3_MULTI_TRACE_ID));
    multi.add("X-B3-SpanId", ascii(B3_MULTI_SPAN_ID));
    multi.add("X-B3-Sampled", ascii("1"));

    // a plain producer: the records carry exactly these headers and no traceparent
    try (KafkaProducer<String, String> plain = KafkaClients.stringProducer(kafka, Map.of());
        KafkaConsumer<String, String> consumer = KafkaClients.stringConsumer(kafka, tracing.consumerProperties())) {
      plain.send(new ProducerRecord<>(topic, null, "single", "v", single)).get(30, TimeUnit.SECONDS);
      plain.send(new ProducerRecord<>(topic, null, "multi", "v", multi)).get(30, TimeUnit.SECONDS);
      List<String> currentTraceIds = new ArrayList<>();
      for (ConsumerRecord<String, String> r : KafkaClients.poll(consumer, topic, 2)) {
        tracing.process(r, x -> currentTraceIds.add(Span.current().getSpanContext().getTraceId()));
      }
      assertThat(currentTraceIds).containsExactly(B3_TRACE_ID, B3_MULTI_TRACE_ID);
    }

    List<SpanData> process = spans.awaitSpans("process " + topic, SpanKind.CONSUMER, 2, Duration.ofSeconds(30));
    assertThat(process).hasSize(2);
    assertThat(process.get(0).getTraceId()).isEqualTo(B3_TRACE_ID);
    assertThat(process.get(0).getParentSpanId()).isEqualTo(B3_SPAN_ID);
    assertThat(process.get(0).getParentSpanContext().isRemote()).isTrue();
    assertThat(process.get(0).getParentSpanContext().isSampled()).isTrue();
    assertThat(process.get(1).getTraceId()).isEqualTo(B3_MULTI_TRACE_ID);
    assertThat(process.get(1).getParentSpanId()).isEqualTo(B3_MULTI_SPAN_ID);
    assertThat(process.get(1).getParentSpanContext().isRemote()).isTrue();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static List<String> values(Headers headers, String key) {
    List<String> out = new ArrayList<>();
    for (Header h : headers.headers(key)) {
      out.add(new String(h.value(), StandardCharsets.UTF_8));
    }
    return out;
  }
}

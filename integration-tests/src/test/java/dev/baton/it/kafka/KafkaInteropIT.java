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
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Baton and OpenTelemetry's own Kafka library instrumentation ({@code opentelemetry-kafka-clients-2.6},
 * {@code KafkaTelemetry}) on the two sides of a topic, in both directions, inside one trace: each
 * reads the other's W3C context and continues it.
 *
 * <pre>
 * INTERNAL it-root                                   (test)
 * └── PRODUCER {in} publish                          (OpenTelemetry's producer wrapper)
 *     └── CONSUMER process {in}                      (Baton: KafkaTracing.process)
 *         └── PRODUCER send {out}                    (Baton's producer interceptor)
 *             └── CONSUMER {out} process             (OpenTelemetry's consumer wrapper)
 * </pre>
 *
 * OpenTelemetry's spans are those of its 2.31 library instrumentation (old messaging names,
 * {@code "{topic} publish"}); its consumer wrapper makes the process span while the polled records
 * are iterated. No receive spans on either side (both default to off).
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaInteropIT {

  static final String BATON_SCOPE = "dev.baton.kafka";
  static final String OTEL_SCOPE = "io.opentelemetry.kafka-clients-2.6";

  final InMemoryTelemetry spans = InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());
  final KafkaTracing baton = KafkaTracing.create(spans.openTelemetry());
  final KafkaTelemetry otel = KafkaTelemetry.create(spans.openTelemetry());

  @AfterEach
  void noLeakedScope() {
    assertThat(Context.current()).as("no scope leaked on the test thread").isSameAs(Context.root());
  }

  @Test
  void otelProducerToBatonConsumerToBatonProducerToOtelConsumerIsOneTrace(KafkaBroker kafka)
      throws Exception {
    String in = "interop-in-" + UUID.randomUUID();
    String out = "interop-out-" + UUID.randomUUID();
    kafka.createTopic(in, 1);
    kafka.createTopic(out, 1);

    try (Producer<String, String> otelProducer = otel.wrap(KafkaClients.stringProducer(kafka, Map.of()));
        KafkaConsumer<String, String> batonConsumer =
            KafkaClients.stringConsumer(kafka, baton.consumerProperties());
        KafkaProducer<String, String> batonProducer =
            KafkaClients.stringProducer(kafka, baton.producerProperties());
        Consumer<String, String> otelConsumer = otel.wrap(KafkaClients.stringConsumer(kafka, Map.of()))) {

      Span root = spans.openTelemetry().getTracer("it").spanBuilder("it-root").startSpan();
      try (Scope ignored = root.makeCurrent()) {
        otelProducer.send(new ProducerRecord<>(in, "k", "from-otel")).get(30, TimeUnit.SECONDS);
      } finally {
        root.end();
      }

      ConsumerRecord<String, String> received = KafkaClients.poll(batonConsumer, in, 1).get(0);
      baton.process(received, r ->
          batonProducer.send(new ProducerRecord<>(out, r.key(), "from-baton")).get(30, TimeUnit.SECONDS));

      // OpenTelemetry's consumer wrapper makes its process span while the records are iterated
      otelConsumer.subscribe(List.of(out));
      List<String> values = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (values.isEmpty() && System.nanoTime() < deadline) {
        ConsumerRecords<String, String> batch = otelConsumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<String, String> r : batch) {
          values.add(r.value());
        }
      }
      assertThat(values).containsExactly("from-baton");

      String traceId = root.getSpanContext().getTraceId();
      // OpenTelemetry's library instrumentation still names spans "{topic} {operation}"
      SpanData otelSend = spans.awaitSpan(in + " publish", SpanKind.PRODUCER);
      SpanData batonProcess = spans.awaitSpan("process " + in, SpanKind.CONSUMER);
      SpanData batonSend = spans.awaitSpan("send " + out, SpanKind.PRODUCER);
      SpanData otelProcess = spans.awaitSpan(out + " process", SpanKind.CONSUMER);
      assertThat(spans.spans()).as("the root, two spans of each library, nothing else").hasSize(5);

      assertThat(List.of(otelSend, otelProcess)).extracting(KafkaInteropIT::scope).containsOnly(OTEL_SCOPE);
      assertThat(List.of(batonProcess, batonSend)).extracting(KafkaInteropIT::scope).containsOnly(BATON_SCOPE);
      assertThat(List.of(otelSend, batonProcess, batonSend, otelProcess))
          .extracting(SpanData::getTraceId)
          .containsOnly(traceId);
      assertThat(otelSend.getParentSpanId()).isEqualTo(root.getSpanContext().getSpanId());
      // OpenTelemetry's producer -> Baton's consumer
      assertThat(batonProcess.getParentSpanId()).isEqualTo(otelSend.getSpanId());
      assertThat(batonProcess.getParentSpanContext().isRemote()).isTrue();
      assertThat(batonSend.getParentSpanId()).isEqualTo(batonProcess.getSpanId());
      // Baton's producer -> OpenTelemetry's consumer
      assertThat(otelProcess.getParentSpanId()).isEqualTo(batonSend.getSpanId());
      assertThat(otelProcess.getParentSpanContext().isRemote()).isTrue();
    }
  }

  static String scope(SpanData span) {
    return span.getInstrumentationScopeInfo().getName();
  }
}

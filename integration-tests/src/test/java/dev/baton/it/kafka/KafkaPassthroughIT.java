package dev.baton.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.it.KafkaBroker;
import dev.baton.it.KafkaBrokerExtension;
import dev.baton.kafka.KafkaTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A service in the middle with no SDK: only a propagating {@code OpenTelemetry} (W3C Trace
 * Context), so no span is recorded anywhere. It consumes through Baton's consumer interceptor,
 * processes with {@link KafkaTracing#process} and produces through Baton's producer interceptor;
 * each outgoing record carries its incoming {@code traceparent} unchanged (trace id, parent id
 * and flags, sampled or not, Level 2 random flag included), its {@code tracestate} and its
 * {@code baggage}.
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaPassthroughIT {

  static final String TRACESTATE = "vendor=opaque,other=x";
  static final String BAGGAGE = "tenant=acme";

  final OpenTelemetry propagating =
      OpenTelemetry.propagating(ContextPropagators.create(W3CTraceContextPropagator.getInstance()));
  final KafkaTracing tracing = KafkaTracing.create(propagating);

  @AfterEach
  void noLeakedScope() {
    assertThat(Context.current()).as("no scope leaked on the test thread").isSameAs(Context.root());
  }

  @Test
  void consumeProcessProduceKeepsTheIncomingTraceparent(KafkaBroker kafka) throws Exception {
    String in = "pass-in-" + UUID.randomUUID();
    String out = "pass-out-" + UUID.randomUUID();
    kafka.createTopic(in, 1);
    kafka.createTopic(out, 1);
    // by key: the traceparent an upstream service sent (sampled, not sampled, sampled + random)
    Map<String, String> incoming = new LinkedHashMap<>();
    incoming.put("sampled", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    incoming.put("unsampled", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
    incoming.put("random", "00-1234567890abcdef1234567890abcdef-1234567890abcdef-03");

    try (KafkaProducer<String, String> upstream = KafkaClients.stringProducer(kafka, Map.of());
        KafkaConsumer<String, String> middleIn = KafkaClients.stringConsumer(kafka, tracing.consumerProperties());
        KafkaProducer<String, String> middleOut = KafkaClients.stringProducer(kafka, tracing.producerProperties());
        KafkaConsumer<String, String> downstream = KafkaClients.stringConsumer(kafka, Map.of())) {
      for (Map.Entry<String, String> e : incoming.entrySet()) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", ascii(e.getValue()));
        headers.add("tracestate", ascii(TRACESTATE));
        headers.add("baggage", ascii(BAGGAGE));
        upstream.send(new ProducerRecord<>(in, null, e.getKey(), "v", headers)).get(30, TimeUnit.SECONDS);
      }

      List<SpanContext> seenInside = new ArrayList<>();
      for (ConsumerRecord<String, String> r : KafkaClients.poll(middleIn, in, incoming.size())) {
        tracing.process(r, x -> {
          Span current = Span.current();
          assertThat(current.isRecording()).as("no SDK: nothing is recorded").isFalse();
          seenInside.add(current.getSpanContext());
          middleOut.send(new ProducerRecord<>(out, x.key(), x.value())).get(30, TimeUnit.SECONDS);
        });
      }
      assertThat(seenInside).extracting(SpanContext::getTraceId).containsExactly(
          "4bf92f3577b34da6a3ce929d0e0e4736", "0af7651916cd43dd8448eb211c80319c",
          "1234567890abcdef1234567890abcdef");

      List<ConsumerRecord<String, String>> forwarded = KafkaClients.poll(downstream, out, incoming.size());
      assertThat(forwarded).hasSize(incoming.size());
      for (ConsumerRecord<String, String> r : forwarded) {
        assertThat(values(r, "traceparent")).as(r.key()).containsExactly(incoming.get(r.key()));
        assertThat(values(r, "tracestate")).as(r.key()).containsExactly(TRACESTATE);
        assertThat(values(r, "baggage")).as(r.key()).containsExactly(BAGGAGE);
      }
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static List<String> values(ConsumerRecord<?, ?> record, String key) {
    List<String> out = new ArrayList<>();
    for (Header h : record.headers().headers(key)) {
      out.add(new String(h.value(), StandardCharsets.UTF_8));
    }
    return out;
  }
}
